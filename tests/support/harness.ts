/**
 * Helpers for integration tests: the run's configuration, the app built on it, a direct database
 * handle for arranging and checking state, and organisers with real API keys.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/config.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { createOrganiser } from '../../src/organisers/organiser-service.js';
import { pino } from 'pino';
import { startWorkers, type RunningWorkers } from '../../workers/start-workers.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './smtp-sink.js';

/** This test file's own database (see file-database.ts). */
export function fileDatabaseUrl(): string {
  const url = process.env.TEST_FILE_DATABASE_URL;
  if (!url) throw new Error('TEST_FILE_DATABASE_URL is not set: tests/support/file-database.ts did not run, or this is a unit test (tests/unit/ has no database)');
  return url;
}

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: fileDatabaseUrl(),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: inject('redisPrefix'),
    SMTP_URL: 'smtp://127.0.0.1:2525',
    MAIL_FROM: 'campaigns@example.org',
    PUBLIC_BASE_URL: 'https://letters.example.org',
    INBOUND_DOMAIN: 'replies.example.org',
    SECRET_KEY: 'test-secret-key-that-is-at-least-32-characters',
    // Every test request comes from 127.0.0.1: only the rate-limit tests turn these down.
    SIGNUP_RATE_LIMIT_PER_MINUTE: '100000',
    SIGNUP_EMAIL_RATE_LIMIT_PER_HOUR: '1000',
    SIGN_IN_RATE_LIMIT_PER_HOUR: '100000',
    SIGN_IN_EMAIL_RATE_LIMIT_PER_HOUR: '1000',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig(testEnv(overrides));
}

export async function startApp(overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(overrides));
  await app.ready();
  return app;
}

export function openTestDatabase(): DatabaseHandle {
  return openDatabase(fileDatabaseUrl(), { poolSize: 2, applicationName: 'campaign-letters-tests' });
}

export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

export interface TestOrganiser {
  id: string;
  apiKey: string;
  auth: { authorization: string };
}

export async function newOrganiser(handle: DatabaseHandle, name = 'Test organiser'): Promise<TestOrganiser> {
  const { id, apiKey } = await createOrganiser(handle.db, { email: `org-${uniqueSuffix()}@example.org`, name });
  return { id, apiKey, auth: { authorization: `Bearer ${apiKey}` } };
}

/** A valid create-campaign body modelled on the fixtures' 2013 campaign letter. */
export function campaignBody(overrides: Record<string, unknown> = {}) {
  return {
    slug: `responsibility-to-protect-${uniqueSuffix()}`,
    title: 'The Responsibility to Protect in Syria',
    summary: 'Ask the Foreign Secretary to uphold the Responsibility to Protect.',
    letter: {
      subject: 'The Responsibility to Protect – a letter from {{ supporter.name }}',
      body: 'Dear Foreign Secretary,\n\nWe, the undersigned members, write about the “Responsibility to Protect”.\n\nYours sincerely,\n{{ supporter.name }}',
    },
    target: {
      name: 'The Rt Hon William Hague MP',
      email: 'foreign.secretary@fco.gov.example',
      address: 'Foreign and Commonwealth Office\nKing Charles Street\nLondon SW1A 2AH',
    },
    sender: { name: 'United Nations Association – UK', email: 'campaigns@una.org.example' },
    replyPolicy: { mode: 'auto', allowedSenders: ['fco.gov.example'] },
    ...overrides,
  };
}

export interface Stack {
  app: FastifyInstance;
  workers: RunningWorkers;
  sink: SmtpSink;
  config: Config;
  close(): Promise<void>;
}

/**
 * The API, in-process workers and an SMTP sink wired together. Each stack gets its own Redis key
 * prefix, so its jobs are never taken by workers started by another test file.
 */
export async function startStack(overrides: Record<string, string> = {}): Promise<Stack> {
  const sink = await startSmtpSink();
  const env = { SMTP_URL: sink.url, REDIS_PREFIX: `${inject('redisPrefix')}-${uniqueSuffix()}`, ...overrides };
  const config = testConfig(env);
  const app = await startApp(env);
  const workers = await startWorkers(config, pino({ level: 'silent' }));
  const stack: Stack = {
    app,
    workers,
    sink,
    config,
    async close() {
      // The workers running now: a test may have stopped the first ones and started others.
      await stack.workers.close();
      await app.close();
      await sink.close();
    },
  };
  return stack;
}

/** The path and query of a link found in a mail's text, for app.inject(). */
export function linkIn(text: string, pathPrefix: string): string {
  const match = new RegExp(`https://letters\\.example\\.org(${pathPrefix}[A-Za-z0-9_\\-/]+)`).exec(text);
  if (!match) throw new Error(`no ${pathPrefix} link in:\n${text}`);
  return match[1]!;
}

export async function createPublishedCampaign(
  app: FastifyInstance,
  organiser: TestOrganiser,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; slug: string }> {
  const created = await app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: organiser.auth, payload: campaignBody(overrides) });
  if (created.statusCode !== 201) throw new Error(`campaign not created: ${created.body}`);
  const campaign = created.json<{ id: string; slug: string }>();
  await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/publish`, headers: organiser.auth });
  return campaign;
}

/** Signs a campaign through the API, then confirms with the link from the confirmation mail. */
export async function signAndConfirm(
  stack: Stack,
  slug: string,
  supporter: { name: string; email: string; postcode?: string },
): Promise<{ confirmation: ReceivedMail; confirmPath: string }> {
  const seen = new Set(stack.sink.received);
  const signed = await stack.app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${slug}/signatures`,
    payload: { ...supporter, consent: true },
  });
  if (signed.statusCode !== 202) throw new Error(`sign-up refused: ${signed.body}`);
  // As normaliseEmail stores it: trimmed and lower-cased whole.
  const address = supporter.email.trim().toLowerCase();
  const confirmation = await stack.sink.waitFor(
    (m) => !seen.has(m) && m.envelopeTo.includes(address) && m.parsed.subject!.startsWith('Please confirm'),
  );
  const confirmPath = linkIn(confirmation.parsed.text!, '/confirm/');
  const confirmed = await stack.app.inject({ method: 'POST', url: confirmPath });
  if (confirmed.statusCode !== 200) throw new Error(`confirmation refused: ${confirmed.body}`);
  return { confirmation, confirmPath };
}

/** Polls until `condition` holds, like a person refreshing a page; fails naming what never happened. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  await waitForValue(condition, Boolean, what, timeoutMs);
}

/** Polls `read` until `done` accepts its value, and returns that value. */
export async function waitForValue<T>(read: () => T | Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

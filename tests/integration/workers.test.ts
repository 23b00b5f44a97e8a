import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../workers/start-workers.js';
import { campaignBody, testConfig, testEnv, waitUntil } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { addSupporter, countRows, seedSupporters } from '../support/seed.js';

const { app, handle, organiser } = useTestStack({ runs: 'app' });

async function closedCampaign(): Promise<string> {
  const created = await app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: organiser.auth, payload: campaignBody() });
  const id = created.json<{ id: string }>().id;
  await app.inject({ method: 'POST', url: `/api/v1/campaigns/${id}/publish`, headers: organiser.auth });
  await app.inject({ method: 'POST', url: `/api/v1/campaigns/${id}/close`, headers: organiser.auth });
  return id;
}

const campaignExists = (id: string) => countRows(handle, 'SELECT count(*) AS n FROM campaigns WHERE id = $1', [id]);
const supportersOf = (id: string) => countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1', [id]);
const contactsTagged = (tag: string) =>
  countRows(handle, 'SELECT count(*) AS n FROM contacts WHERE email LIKE $1', [`supporter-${tag}-%`]);

describe('purging a deleted campaign', () => {
  let workers: RunningWorkers;
  beforeAll(async () => {
    workers = await startWorkers(testConfig(), pino({ level: 'silent' }));
  });
  afterAll(() => workers.close());

  it('removes its supporters and their now-unused contacts, keeping people who support other campaigns', async () => {
    const deleted = await closedCampaign();
    const kept = await closedCampaign();
    await seedSupporters(handle, deleted, 2_500, 'purge');
    await seedSupporters(handle, kept, 3, 'keep');
    const { rows } = await handle.pool.query<{ id: string }>(
      "SELECT id FROM contacts WHERE email = 'supporter-purge-1@example.org'",
    );
    await addSupporter(handle, kept, rows[0]!.id);

    const response = await app.inject({ method: 'DELETE', url: `/api/v1/campaigns/${deleted}`, headers: organiser.auth });
    expect(response.statusCode).toBe(204);
    await waitUntil(async () => (await campaignExists(deleted)) === 0, 'the campaign to be purged');

    expect(await supportersOf(deleted)).toBe(0);
    expect(await contactsTagged('purge')).toBe(1);
    expect(await supportersOf(kept)).toBe(4);
    expect(await contactsTagged('keep')).toBe(3);
  });

  it('purges a deleted campaign whose job was lost, found by the sweep from Postgres', async () => {
    const id = await closedCampaign();
    await seedSupporters(handle, id, 10, 'sweep');
    // Deleted behind the queue's back, as if Redis had been down or flushed at DELETE time.
    await handle.pool.query('UPDATE campaigns SET deleted_at = now() WHERE id = $1', [id]);

    const result = (await workers.sweep()) as { campaignsToPurge: number };
    expect(result.campaignsToPurge).toBeGreaterThanOrEqual(1);
    await waitUntil(async () => (await campaignExists(id)) === 0, 'the swept campaign to be purged');
    expect(await contactsTagged('sweep')).toBe(0);
  });
});

describe('the worker process', () => {
  it('on SIGTERM finishes the job in flight, then exits 0', async () => {
    const id = await closedCampaign();
    await seedSupporters(handle, id, 40_000, 'shutdown');

    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
      env: { ...process.env, ...testEnv({ LOG_LEVEL: 'info' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      await waitUntil(async () => output.includes('workers ready'), 'the worker to start', 20_000);
      await app.inject({ method: 'DELETE', url: `/api/v1/campaigns/${id}`, headers: organiser.auth });
      // Signal while the purge is visibly under way, not before it started or after it ended.
      await waitUntil(async () => (await supportersOf(id)) < 40_000, 'the purge to start');
      expect(await campaignExists(id)).toBe(1);
      child.kill('SIGTERM');

      const [code] = await exited;
      expect(code, output).toBe(0);
      expect(output).toContain('SIGTERM received');
      expect(output).toContain('shut down cleanly');
      expect(await campaignExists(id)).toBe(0);
      expect(await supportersOf(id)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses to start with a configuration error, naming the variable in one line', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
      env: { ...process.env, ...testEnv({ WORKER_CONCURRENCY: 'lots' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'Configuration error: WORKER_CONCURRENCY is invalid: must be a whole number (got "lots"). See .env.example.',
    ]);
  });
});

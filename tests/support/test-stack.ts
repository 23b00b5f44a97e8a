/**
 * What a test file needs to talk to the service, in one call at its top level:
 *
 *   const { stack, handle, organiser } = useTestStack({ organiser: 'UNA-UK' });
 *
 * It registers the file's beforeAll, which starts what the file runs (the API with in-process
 * workers and an SMTP sink, or the API alone, or nothing), opens a handle on the file's own database
 * and creates an organiser with a real API key; and its afterAll, which closes them all, the last
 * started first. Hooks a file registers after this call run after these before its tests, and before
 * these after them, so they can use and close what they build on top. Called inside a describe, it
 * does the same for that block alone (a stack configured for its tests).
 *
 * The objects are made in beforeAll, after the file's top level has run: what is returned are
 * stand-ins (late-bound.ts) for them, used exactly like the objects themselves in hooks and tests.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { newOrganiser, openTestDatabase, startApp, startStack, type Stack, type TestOrganiser } from './harness.js';
import { startTestInboundListener, type TestInboundListener } from './inbound-listener.js';
import { lateBound } from './late-bound.js';

/** What runs for the file: the API, workers and an SMTP sink; the API alone; or only the database. */
export type Runs = 'stack' | 'app' | 'database';

export interface TestStackOptions<R extends Runs> {
  /** Default 'stack'. */
  runs?: R;
  /** Configuration that differs from testEnv()'s, for the stack or the app; a function is called in beforeAll. */
  env?: Record<string, string> | (() => Promise<Record<string, string>>);
  /** The organiser's name (harness.ts newOrganiser's default when absent). */
  organiser?: string;
  /** Also run the inbound SMTP listener on the stack's configuration and database (runs 'stack' only). */
  inboundListener?: boolean;
}

export interface TestDatabase {
  handle: DatabaseHandle;
  organiser: TestOrganiser;
}
export interface TestApp extends TestDatabase {
  app: FastifyInstance;
}
export interface TestStack extends TestApp {
  stack: Stack;
  /** Only with `inboundListener: true`. */
  listener: TestInboundListener;
}

type TestFile<R extends Runs> = R extends 'database' ? TestDatabase : R extends 'app' ? TestApp : TestStack;

export function useTestStack<R extends Runs = 'stack'>(options: TestStackOptions<R> = {}): TestFile<R> {
  const runs: Runs = options.runs ?? 'stack';
  const stack = lateBound<Stack>('stack');
  const app = lateBound<FastifyInstance>('app');
  const handle = lateBound<DatabaseHandle>('handle');
  const organiser = lateBound<TestOrganiser>('organiser');
  const listener = lateBound<TestInboundListener>('listener');
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const database = openTestDatabase();
    closers.push(() => database.close());
    handle.bind(database);
    organiser.bind(await newOrganiser(database, options.organiser));
    const env = typeof options.env === 'function' ? await options.env() : options.env;
    if (runs === 'stack') {
      const started = await startStack(env);
      closers.push(() => started.close());
      stack.bind(started);
      app.bind(started.app);
      if (options.inboundListener) {
        const inbound = await startTestInboundListener(started.config, database.db);
        closers.push(() => inbound.close());
        listener.bind(inbound);
      }
    } else if (runs === 'app') {
      const started = await startApp(env);
      closers.push(() => started.close());
      app.bind(started);
    }
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  const database: TestDatabase = { handle: handle.value, organiser: organiser.value };
  if (runs === 'database') return database as TestFile<R>;
  if (runs === 'app') return { ...database, app: app.value } as TestFile<R>;
  return { ...database, app: app.value, stack: stack.value, listener: listener.value } as TestFile<R>;
}

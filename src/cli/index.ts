/**
 * `npm run -s cli -- <command> [options]`: operator commands. Each prints one JSON line on success
 * (easy to pipe into jq or a provisioning script) and one plain line on stderr on failure.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { openDatabase, type Database } from '../db/client.js';
import { AppError } from '../errors.js';
import { assertPostgresReachable } from '../infra/reachability.js';
import { runMain } from '../infra/run-main.js';
import { createApiKeyFor, createOrganiser, revokeApiKey } from '../organisers/organiser-service.js';
import { createUserForOrganiser } from '../organiser-app/users.js';
import { watchBroadcast } from './watch-broadcast.js';

interface Command {
  usage: string;
  options: Record<string, { type: 'string' }>;
  /** Positional arguments, in order. */
  positionals?: string[];
  run(db: Database, values: Record<string, string | undefined>): Promise<unknown>;
}

const commands: Record<string, Command> = {
  'create-organiser': {
    usage: 'create-organiser --email E --name N   create an organiser; prints {"id","apiKey"} (the key is shown once)',
    options: { email: { type: 'string' }, name: { type: 'string' } },
    run: (db, values) => createOrganiser(db, { email: values.email ?? '', name: values.name ?? '' }),
  },
  'create-api-key': {
    usage: 'create-api-key --email E               issue another key for an organiser; prints {"id","apiKey"}',
    options: { email: { type: 'string' } },
    run: (db, values) => createApiKeyFor(db, values.email ?? ''),
  },
  'create-user': {
    usage: 'create-user --organiser-email E --email U --role R   let U sign in to the web app as owner or editor; prints {"id","organiserId","email","role"}',
    options: { 'organiser-email': { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } },
    run: (db, values) =>
      createUserForOrganiser(db, { 'organiser-email': values['organiser-email'] ?? '', email: values.email ?? '', role: values.role ?? '' }),
  },
  'watch-broadcast': {
    usage: 'watch-broadcast <broadcast-id>           live progress of a broadcast until it ends',
    options: {},
    positionals: ['id'],
    run: async (db, values) => watchBroadcast(db, values.id ?? ''),
  },
  'revoke-api-key': {
    usage: 'revoke-api-key --prefix clk_XXXXXXXX   revoke the key(s) starting with this prefix',
    options: { prefix: { type: 'string' } },
    run: async (db, values) => ({ revoked: await revokeApiKey(db, values.prefix ?? '') }),
  },
};

function usage(): string {
  return ['usage: npm run -s cli -- <command> [options]', ...Object.values(commands).map((c) => `  ${c.usage}`)].join('\n');
}

function describe(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0]!;
    return `--${issue.path.join('.') || 'input'}: ${issue.message}`;
  }
  if (error instanceof AppError) return error.field ? `--${error.field}: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

await runMain(async () => {
  const [name, ...rest] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name && name !== 'help' ? `unknown command "${name}"\n${usage()}` : usage());
    process.exitCode = 2;
    return;
  }
  let values: Record<string, string | undefined>;
  try {
    const parsed = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: Boolean(command.positionals) });
    const expected = command.positionals ?? [];
    if (parsed.positionals.length !== expected.length) throw new Error(`expected ${expected.map((p) => `<${p}>`).join(' ')}`);
    values = { ...parsed.values, ...Object.fromEntries(expected.map((name, i) => [name, parsed.positionals[i]])) };
  } catch (error) {
    console.error(`${(error as Error).message}\n  ${command.usage}`);
    process.exitCode = 2;
    return;
  }

  const config = loadConfig();
  await assertPostgresReachable(config.DATABASE_URL);
  const handle = openDatabase(config.DATABASE_URL, { poolSize: 1, applicationName: 'campaign-letters-cli' });
  try {
    const result = await command.run(handle.db, values);
    if (result !== undefined) console.log(JSON.stringify(result));
  } catch (error) {
    if (error instanceof z.ZodError || error instanceof AppError) {
      console.error(describe(error));
      process.exitCode = 1;
      return;
    }
    throw error;
  } finally {
    await handle.close();
  }
});

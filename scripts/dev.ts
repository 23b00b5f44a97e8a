/**
 * `npm run dev`: the whole service from the TypeScript sources, in one terminal, for a machine with
 * PostgreSQL and Redis but no Docker. Migrates, then runs the API, the workers, the inbound listener
 * and (when SMTP_URL points at this machine) a mail catcher whose web page shows every mail sent, with their
 * logs interleaved and prefixed. Ctrl-C stops them all.
 *
 * Each service runs in a process group of its own, so Ctrl-C reaches only this process, which passes
 * exactly one SIGINT to each group: the terminal, npm and concurrently would otherwise each deliver
 * one, and a service takes a second signal as "exit now, skip the graceful close". pino-pretty, in the
 * same group as its service, ignores that first SIGINT (it does so when reading a pipe) and exits
 * when the service's output ends, so the shutdown lines are still shown.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createConcurrently, KillOnSignal, KillOthers, LogError, LogExit, Logger, LogOutput, type ConcurrentlyCommandInput } from 'concurrently';
import { z } from 'zod';
import { ConfigError, loadConfig, redactUrl } from '../src/config.js';
import { runMain } from '../src/infra/run-main.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** A second SIGINT this soon after the first is the same Ctrl-C, passed on by npm. */
const SAME_SIGNAL_MS = 1000;

const PRETTY = 'pino-pretty --singleLine --translateTime SYS:HH:MM:ss.l --ignore pid,hostname,process';

/** The catcher's SMTP port when SMTP_URL points at this machine; undefined when mail goes elsewhere. */
function catcherSmtpPort(smtpUrl: string): number | undefined {
  const url = new URL(smtpUrl);
  return LOOPBACK.has(url.hostname) ? Number(url.port || 25) : undefined;
}

/** The mail catcher's web page (MAIL_CATCHER_WEB_PORT, default 8025); its SMTP side listens where SMTP_URL points. */
function readCatcherWebPort(): number {
  const parsed = z.coerce.number().int().min(1).max(65535).default(8025).safeParse(process.env.MAIL_CATCHER_WEB_PORT || undefined);
  if (!parsed.success) throw new ConfigError(`Configuration error: MAIL_CATCHER_WEB_PORT is invalid: must be a port number (got "${process.env.MAIL_CATCHER_WEB_PORT}"). See .env.example.`);
  return parsed.data;
}

await runMain(async () => {
  const config = loadConfig();
  const catcherWebPort = readCatcherWebPort();
  const smtpPort = catcherSmtpPort(config.SMTP_URL);

  const migrate = spawnSync(process.execPath, ['--import', 'tsx', 'src/db/migrate-command.ts'], { stdio: 'inherit' });
  if (migrate.status !== 0) {
    process.exitCode = migrate.status ?? 1;
    return;
  }

  const commands: ConcurrentlyCommandInput[] = [
    // `node --import tsx`, not the tsx CLI: one process per service, so a signal reaches it once.
    { name: 'api    ', command: `node --import tsx src/server.ts | ${PRETTY}`, prefixColor: 'cyan' },
    { name: 'worker ', command: `node --import tsx workers/index.ts | ${PRETTY}`, prefixColor: 'magenta' },
    { name: 'inbound', command: `node --import tsx src/inbound/main.ts | ${PRETTY}`, prefixColor: 'yellow' },
  ];
  if (smtpPort !== undefined) {
    commands.push({
      name: 'mail   ',
      command: `maildev --smtp ${smtpPort} --ip 127.0.0.1 --web ${catcherWebPort} --web-ip 127.0.0.1`,
      prefixColor: 'green',
    });
  }

  // concurrently's core, because its convenience wrapper does not pass `spawn` and `kill` through.
  const logger = new Logger({ prefixFormat: 'name' });
  // One stop signal per service, whoever asks (Ctrl-C, or another service exiting): a second one
  // skips its graceful close. Only a Ctrl-C pressed again later forces them down.
  const signalled = new Set<number>();
  let firstInterrupt: number | undefined;
  let forced = false;
  process.on('SIGINT', () => {
    firstInterrupt ??= Date.now();
    if (Date.now() - firstInterrupt > SAME_SIGNAL_MS) forced = true;
  });
  const { result } = createConcurrently(commands, {
    logger,
    outputStream: process.stdout,
    controllers: [
      new LogError({ logger }),
      new LogOutput({ logger }),
      new LogExit({ logger }),
      new KillOnSignal({ process }),
      // One service gone (a port in use, a crash) leaves a half-working system: stop the rest with it.
      new KillOthers({ logger, conditions: ['failure', 'success'], killSignal: 'SIGINT' }),
    ],
    spawn: (command, options) => spawn('/bin/sh', ['-c', command], { ...options, detached: true }),
    kill: (pid, signal) => {
      if (signalled.has(pid) && !forced) return;
      signalled.add(pid);
      try {
        process.kill(-pid, signal ?? 'SIGTERM');
      } catch {
        // The group has already gone.
      }
    },
  });

  const api = `http://${config.HOST}:${config.PORT}`;
  console.log(`\n  API        ${api}   (Swagger UI at ${api}/docs)`);
  console.log(
    smtpPort !== undefined
      ? `  Mail       http://127.0.0.1:${catcherWebPort}   (the mail catcher: every mail sent lands here)`
      : `  Mail       sent to ${redactUrl(config.SMTP_URL)} (not this machine, so no mail catcher runs)`,
  );
  console.log(`  Inbound    smtp://${config.INBOUND_SMTP_HOST}:${config.INBOUND_SMTP_PORT}   (replies to reply+<token>@${config.INBOUND_DOMAIN})`);
  console.log('  Ctrl-C stops everything.\n');

  // A service that stopped has printed why. (Behind pino-pretty's pipe, a service's own exit code is
  // not seen: the pipeline ends with pino-pretty's; the mail catcher's failure does set it.)
  await result.catch(() => {
    process.exitCode = 1;
  });
});

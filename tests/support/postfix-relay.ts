/**
 * A real Postfix, configured into a temporary directory of its own (config, queue, data, log), as
 * the relay the service sends to: it accepts mail from loopback on its own port, and delivers it
 * onward by a transport map, never by DNS, with queue timings in seconds so a deferred message is
 * retried within the test. It runs as root's Postfix does (CI runs as root): the master as root,
 * its daemons as the `postfix` user the Debian package creates.
 *
 * Nothing of the system's Postfix is used but its programs: the package's own instance is not
 * started and this one listens on no standard port.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why Postfix cannot run here, or undefined when it can. */
export function postfixUnavailable(): string | undefined {
  if (!existsSync('/usr/sbin/postfix')) return 'Postfix is not installed (Debian package `postfix`; .ci/run installs it)';
  if (process.getuid?.() !== 0) return 'Postfix must be started as root (its master runs as root, as in CI)';
  return undefined;
}

export interface PostfixRelay {
  port: number;
  /** Postfix's own log, for a failure message. */
  log(): Promise<string>;
  /** Runs the deferred queue now (postqueue -f), as an operator would. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** The daemons a relay needs, none chrooted (a chroot would need the queue's files inside it). */
function masterCf(port: number): string {
  const services = [
    `127.0.0.1:${port} inet n - n - - smtpd`,
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'proxywrite unix - - n - 1 proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
  ];
  return `${services.join('\n')}\n`;
}

function mainCf(dir: string): string {
  return `${[
    'compatibility_level = 3.6',
    `queue_directory = ${dir}/spool`,
    `data_directory = ${dir}/data`,
    'command_directory = /usr/sbin',
    'daemon_directory = /usr/lib/postfix/sbin',
    'shlib_directory = /usr/lib/postfix',
    'mail_owner = postfix',
    'setgid_group = postdrop',
    `maillog_file = ${dir}/maillog`,
    `maillog_file_prefixes = ${dir}`,
    'myhostname = relay.test',
    'mydomain = relay.test',
    'myorigin = relay.test',
    'mydestination =',
    'local_recipient_maps =',
    'alias_maps =',
    'alias_database =',
    'inet_interfaces = loopback-only',
    'inet_protocols = ipv4',
    'mynetworks = 127.0.0.0/8',
    'smtpd_relay_restrictions = permit_mynetworks, reject',
    `transport_maps = texthash:${dir}/etc/transport`,
    // Destinations come from the transport map only: no DNS lookups.
    'smtp_dns_support_level = disabled',
    'smtp_host_lookup = native',
    'disable_dns_lookups = yes',
    'smtp_tls_security_level = none',
    'smtpd_tls_security_level = none',
    // Queue timings in seconds, so a deferred message is retried within the test.
    'queue_run_delay = 1s',
    'minimal_backoff_time = 1s',
    'maximal_backoff_time = 2s',
    'delay_warning_time = 0',
    'biff = no',
    'smtp_connect_timeout = 5s',
  ].join('\n')}\n`;
}

async function waitForPort(port: number, deadline: number, log: () => Promise<string>): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Postfix did not listen on ${port}:\n${await log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `transport`: domain → `[host]:port` to deliver its mail to. */
export async function startPostfixRelay(options: { port: number; transport: Record<string, string> }): Promise<PostfixRelay> {
  const dir = await mkdtemp(join(tmpdir(), 'postfix-relay-'));
  await chmod(dir, 0o755);
  for (const sub of ['etc', 'spool', 'data']) await mkdir(join(dir, sub), { recursive: true });
  await writeFile(join(dir, 'etc', 'main.cf'), mainCf(dir));
  await writeFile(join(dir, 'etc', 'master.cf'), masterCf(options.port));
  const transport = Object.entries(options.transport).map(([domain, next]) => `${domain} smtp:${next}`);
  await writeFile(join(dir, 'etc', 'transport'), `${transport.join('\n')}\n`);
  const postfix = (...args: string[]) => run('/usr/sbin/postfix', ['-c', join(dir, 'etc'), ...args]);
  const log = () => readFile(join(dir, 'maillog'), 'utf8').catch(() => '(no log)');
  // The master's lock and the TLS caches live here, written by the daemons as the postfix user.
  await run('chown', ['postfix', join(dir, 'data')]);
  await postfix('start').catch(async (error: unknown) => {
    throw new Error(`Postfix did not start (${(error as Error).message.trim()}):\n${await log()}`);
  });
  await waitForPort(options.port, Date.now() + 20_000, log);
  return {
    port: options.port,
    log,
    async flush() {
      await run('/usr/sbin/postqueue', ['-c', join(dir, 'etc'), '-f']);
    },
    async stop() {
      await postfix('stop').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

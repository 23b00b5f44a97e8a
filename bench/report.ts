/**
 * The run's figures: a table on stdout, this size's section of BENCHMARKS.md (not for --smoke), and
 * one JSON line last, which is what scripts read.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { FanOut } from './fan-out.js';
import type { SenderFigures } from './sender-processes.js';
import { log, SKIP_DKIM, SMOKE, SUPPORTERS, WORKERS } from './options.js';
import type { SignupBenchmark } from './signup-load.js';

export interface Measured {
  pipeline: FanOut;
  ceiling: SenderFigures;
  raw: SenderFigures;
  dkim: FanOut | undefined;
  signup: SignupBenchmark;
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

export function report({ pipeline, ceiling, raw, dkim, signup }: Measured): void {
  const figures = {
    supporters: SUPPORTERS,
    fanoutMsgsPerSec: pipeline.msgsPerSec,
    ceilingMsgsPerSec: ceiling.msgsPerSec,
    fanoutRatio: ratio(pipeline.msgsPerSec, ceiling.msgsPerSec),
    rawSmtpMsgsPerSec: raw.msgsPerSec,
    fanoutVsRaw: ratio(pipeline.msgsPerSec, raw.msgsPerSec),
    averageBytes: pipeline.averageBytes,
    workerCpuMsPerMessage: pipeline.workerCpuMsPerMessage,
    firstDeliveryMs: pipeline.firstDeliveryMs,
    workerPeakRssMb: pipeline.workerPeakRssMb,
    redisPeakMb: pipeline.redisPeakMb,
    pgMsPerDelivery: pipeline.pgMsPerDelivery,
    pgCpuMsPerDelivery: pipeline.pgCpuMsPerDelivery,
    dkimMsgsPerSec: dkim?.msgsPerSec ?? null,
    dkimVsFanout: dkim ? ratio(dkim.msgsPerSec, pipeline.msgsPerSec) : null,
    signupReqPerSec: signup.signupReqPerSec,
    signupRatio: ratio(signup.signupReqPerSec, signup.bareReqPerSec),
    signupP99Ms: signup.signupP99Ms,
  };
  const rows: Array<[string, string]> = [
    ['supporters', SUPPORTERS.toLocaleString('en-GB')],
    ['fan-out messages/s', `${pipeline.msgsPerSec} (${figures.fanoutVsRaw} × raw SMTP, ${figures.fanoutRatio} × nodemailer ceiling)`],
    ['raw SMTP limit (pipelined, prebuilt → sink) messages/s', String(raw.msgsPerSec)],
    ['ceiling (nodemailer pool → sink) messages/s', String(ceiling.msgsPerSec)],
    ['average message size, fan-out / ceiling / raw', `${pipeline.averageBytes} / ${ceiling.averageBytes} / ${raw.averageBytes} bytes`],
    ['CPU per message, worker / ceiling sender / raw sender', `${pipeline.workerCpuMsPerMessage} / ${ceiling.senderCpuMsPerMessage} / ${raw.senderCpuMsPerMessage} ms`],
    ['fan-out with DKIM messages/s', dkim ? `${dkim.msgsPerSec} (${figures.dkimVsFanout} × unsigned fan-out)` : 'skipped'],
    ['first message accepted after start', `${pipeline.firstDeliveryMs} ms`],
    ['total time', `${(pipeline.totalMs / 1000).toFixed(1)} s`],
    ['worker peak RSS (largest process)', `${pipeline.workerPeakRssMb} MB`],
    ['Redis peak used_memory', `${pipeline.redisPeakMb} MB`],
    ['Postgres busy time per delivery (active_time: CPU and waits)', `${pipeline.pgMsPerDelivery} ms`],
    ['Postgres CPU per delivery (all its processes)', pipeline.pgCpuMsPerDelivery === null ? 'not on this machine' : `${pipeline.pgCpuMsPerDelivery} ms`],
    ['sign-up requests/s, best', `${signup.signupReqPerSec} (${figures.signupRatio} × bare route at ${signup.bareReqPerSec}), at ${signup.signupConnections} connections`],
    ['sign-up p99 latency at that load', `${signup.signupP99Ms} ms`],
    ...signup.loads.map(
      (load): [string, string] => [
        `sign-up at ${load.connections} connections, ours / bare`,
        `${load.signupReqPerSec} / ${load.bareReqPerSec} requests/s (${ratio(load.signupReqPerSec, load.bareReqPerSec)}), p99 ${load.signupP99Ms} / ${load.bareP99Ms} ms`,
      ],
    ),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);

  if (!SMOKE) {
    writeBenchmarkSection(SUPPORTERS, benchmarkSection(rows));
    log('wrote its section of BENCHMARKS.md');
  }
  console.log(JSON.stringify(figures));
}

function benchmarkSection(rows: Array<[string, string]>): string {
  const command = `npm run bench -- --supporters ${SUPPORTERS} --workers ${WORKERS}${SKIP_DKIM ? ' --skip-dkim' : ''}`;
  return [
    `## ${SUPPORTERS.toLocaleString('en-GB')} supporters`,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, with \`${command}\`.`,
    '',
    '| figure | value |',
    '|---|---|',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
  ].join('\n');
}

/**
 * Each size has its own section of BENCHMARKS.md between markers, so a run at 1,000,000 keeps the
 * one at 100,000 and the prose around them.
 */
function writeBenchmarkSection(size: number, section: string) {
  const begin = `<!-- bench:${size} -->`;
  const end = `<!-- /bench:${size} -->`;
  const current = existsSync('BENCHMARKS.md') ? readFileSync('BENCHMARKS.md', 'utf8') : '# Benchmarks\n';
  const block = `${begin}\n${section}\n${end}`;
  const at = current.indexOf(begin);
  const next = at >= 0 ? current.slice(0, at) + block + current.slice(current.indexOf(end) + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync('BENCHMARKS.md', next);
}

/**
 * Sign-up under load (autocannon): our route, through the whole API, against a bare route that does
 * only the same database work (bare-signup-server.ts), on the same machine in the same run.
 */
import autocannon from 'autocannon';
import { dbUrl, log, runId, SIGNUP_CONNECTIONS, SIGNUP_SECONDS, SMOKE } from './options.js';
import { freePort, spawnTsx, stop, waitForHttp, type Api } from './services.js';

async function loadSignups(url: string, emailPrefix: string, extra: Record<string, unknown>, connections: number) {
  let n = 0;
  // autocannon 9 takes `warmup`; its type definitions predate it.
  const options: autocannon.Options & { warmup: { connections: number; duration: number } } = {
    url,
    method: 'POST',
    connections,
    duration: SIGNUP_SECONDS,
    // Both routes warm up first (JIT, pool connections, Postgres' plans), so that the figure compared
    // is the steady state and not how fast each gets going.
    warmup: { connections, duration: SMOKE ? 1 : 3 },
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ name: `Signer ${++n}`, email: `${emailPrefix}-${connections}-${runId}-${n}@example.org`, ...extra }),
        }),
      },
    ],
  };
  return autocannon(options);
}

export interface SignupLoad {
  connections: number;
  signupReqPerSec: number;
  signupP99Ms: number;
  bareReqPerSec: number;
  bareP99Ms: number;
}

export type SignupBenchmark = Awaited<ReturnType<typeof signupBenchmark>>;

/**
 * Each route's capacity: both are loaded at each of SIGNUP_CONNECTIONS in turn (ours, then the bare
 * route, so that a slow patch of the machine hits both), and each route's figure is its best. The
 * bare route peaks at few connections; ours, which makes each sign-up wait for a shared commit,
 * needs more sign-ups in flight to reach its peak.
 */
export async function signupBenchmark(api: Api, slug: string) {
  const port = await freePort();
  const bare = spawnTsx('bench/bare-signup-server.ts', { DATABASE_URL: dbUrl, PORT: String(port) });
  const loads: SignupLoad[] = [];
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`);
    for (const connections of SIGNUP_CONNECTIONS) {
      const through = await loadSignups(`${api.base}/api/v1/campaigns/${slug}/signatures`, 'signer', { consent: true }, connections);
      const floor = await loadSignups(`http://127.0.0.1:${port}/signatures`, 'bare', {}, connections);
      const failed = through.non2xx + through.errors + floor.non2xx + floor.errors;
      if (failed > 0) throw new Error(`sign-up benchmark: ${failed} requests failed at ${connections} connections`);
      const load = {
        connections,
        signupReqPerSec: Math.round(through.requests.average),
        signupP99Ms: through.latency.p99,
        bareReqPerSec: Math.round(floor.requests.average),
        bareP99Ms: floor.latency.p99,
      };
      log(`sign-up at ${connections} connections: ${load.signupReqPerSec} requests/s (p99 ${load.signupP99Ms} ms), bare route ${load.bareReqPerSec} (p99 ${load.bareP99Ms} ms)`);
      loads.push(load);
    }
  } finally {
    await stop([bare]);
  }
  const best = (figure: 'signupReqPerSec' | 'bareReqPerSec') => loads.reduce((a, b) => (b[figure] > a[figure] ? b : a));
  const ours = best('signupReqPerSec');
  return { loads, signupReqPerSec: ours.signupReqPerSec, signupP99Ms: ours.signupP99Ms, signupConnections: ours.connections, bareReqPerSec: best('bareReqPerSec').bareReqPerSec };
}

/**
 * The /metrics endpoint of a process without an HTTP API (workers, the inbound listener): a bare
 * node:http server on METRICS_HOST:METRICS_PORT, answering only GET /metrics, under the same access
 * rule as the API's (metrics-access.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { explainListenError } from '../infra/startup-error.js';
import { checkMetricsAccess } from './metrics-access.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

async function startMetricsServer(
  registry: Registry,
  options: { host: string; port: number; token: string | undefined; onError(error: unknown): void },
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    const access = checkMetricsAccess(options.token, { headers: request.headers, remoteAddress: request.socket.remoteAddress });
    if (request.method !== 'GET' || path !== '/metrics' || access === 'hidden') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'route_not_found', message: 'Not found' } }));
      return;
    }
    if (access === 'unauthorised') {
      response
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
        .end(JSON.stringify({ error: { code: 'unauthorized', message: 'Send Authorization: Bearer <METRICS_TOKEN>' } }));
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        options.onError(error);
        response.writeHead(500).end();
      },
    );
  });
  // A scrape must never hold up shutdown.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(explainListenError(error, { host: options.host, port: options.port, variable: 'METRICS_PORT', hostVariable: 'METRICS_HOST' })),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The process's /metrics server when METRICS_PORT is set, else none. Call it before opening anything
 * else, so a port already in use stops start-up with nothing to close.
 */
export async function startConfiguredMetricsServer(
  registry: Registry,
  config: Pick<Config, 'METRICS_HOST' | 'METRICS_PORT' | 'METRICS_TOKEN'>,
  log: Logger,
): Promise<MetricsServer | undefined> {
  if (config.METRICS_PORT === undefined) return undefined;
  return startMetricsServer(registry, {
    host: config.METRICS_HOST,
    port: config.METRICS_PORT,
    token: config.METRICS_TOKEN,
    onError: (error) => log.warn({ err: error }, 'could not render metrics'),
  });
}

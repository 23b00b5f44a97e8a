/**
 * Who may read /metrics. With METRICS_TOKEN set: whoever sends `Authorization: Bearer <token>`,
 * compared in constant time. Without it: only a client on this machine, i.e. a loopback TCP peer
 * whose request carries no Forwarded / X-Forwarded-For header (a reverse proxy on the same host
 * would otherwise make every visitor look local).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type MetricsAccess = 'allowed' | 'unauthorised' | 'hidden';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

function sameSecret(given: string, expected: string): boolean {
  // Digests have one length, so neither the comparison nor its early exit reveals the token's length.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function checkMetricsAccess(
  token: string | undefined,
  request: { headers: IncomingHttpHeaders; remoteAddress: string | undefined },
): MetricsAccess {
  if (token) {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    return match && sameSecret(match[1]!, token) ? 'allowed' : 'unauthorised';
  }
  const proxied = request.headers.forwarded !== undefined || request.headers['x-forwarded-for'] !== undefined;
  return !proxied && LOOPBACK.test(request.remoteAddress ?? '') ? 'allowed' : 'hidden';
}

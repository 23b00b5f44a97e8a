/**
 * What the security tests need to cover "every route" and "changes nothing" without lists that go
 * stale: the routes as the running app's router has them, and a fingerprint of every table.
 */
import type { FastifyInstance } from 'fastify';
import type { DatabaseHandle } from '../../src/db/client.js';

export interface AppRoute {
  method: string;
  /** As registered, e.g. /api/v1/campaigns/:id/publish (parameters that share a node print as ":slug|:id"). */
  path: string;
}

/**
 * Every method and path the router knows (HEAD, which Fastify adds to each GET, left out), read from
 * printRoutes' tree: each line is one node, indented four characters per level, with its methods.
 */
export function routesOf(app: FastifyInstance): AppRoute[] {
  const routes: AppRoute[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth > 0 ? prefixes[depth - 1]! : '') + match[2]!;
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method !== 'HEAD') routes.push({ method, path });
    }
  }
  return routes;
}

export const routeKey = (route: AppRoute) => `${route.method} ${route.path}`;

/** The routes of the sign-up API and of inbound mail: under /api/v1, yet public by design. */
export const PUBLIC_API_ROUTES = new Set(['POST /api/v1/inbound', 'POST /api/v1/campaigns/:slug|:id/signatures']);

/** Routes that need an organiser's API key: everything under /api/v1 but the public ones. */
export function organiserRoutesOf(app: FastifyInstance): AppRoute[] {
  return routesOf(app).filter((route) => route.path.startsWith('/api/v1/') && !PUBLIC_API_ROUTES.has(routeKey(route)));
}

/** The path with each parameter replaced by `idFor(the segment naming the resource, e.g. "campaigns")`. */
export function fillPath(path: string, idFor: (resource: string) => string): string {
  const segments = path.split('/');
  return segments.map((segment, i) => (segment.startsWith(':') ? idFor(segments[i - 1]!) : segment)).join('/');
}

/**
 * Row count and an md5 over the full contents of every table: equal before and after a request means
 * it changed nothing anywhere. An API key's last-use time is left out (a valid key is used, by design).
 */
export async function fingerprint(handle: DatabaseHandle): Promise<Record<string, string>> {
  const { rows: tables } = await handle.pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  // A running worker's heartbeat row changes every few seconds whatever a request does.
  const volatile = new Set(['worker_processes']);
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    if (volatile.has(name)) continue;
    // Table names come from the catalogue, not from input.
    const { rows } = await handle.pool.query<{ n: number; digest: string }>(
      `SELECT count(*)::int AS n,
              md5(coalesce(string_agg((to_jsonb(t) - 'last_used_at')::text, ',' ORDER BY (to_jsonb(t) - 'last_used_at')::text), '')) AS digest
       FROM "${name}" t`,
    );
    result[name] = `${rows[0]!.n} rows, ${rows[0]!.digest}`;
  }
  return result;
}

/** The organiser app's pages that work signed out: signing in. */
export const SIGNED_OUT_APP_ROUTES = new Set(['GET /app/sign-in', 'POST /app/sign-in', 'GET /app/sign-in/:token', 'POST /app/sign-in/:token']);

/** Routes of the organiser web app that need a session: everything under /app but signing in. */
export function appRoutesOf(app: FastifyInstance): AppRoute[] {
  return routesOf(app).filter(
    (route) => (route.path === '/app' || route.path.startsWith('/app/')) && !SIGNED_OUT_APP_ROUTES.has(routeKey(route)),
  );
}

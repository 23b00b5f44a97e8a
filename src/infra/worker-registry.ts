/**
 * The worker processes alive now (table worker_processes), for claims to name their claimant and
 * for other workers to tell when it died. What a dead claimant held is given back elsewhere
 * (workers/claim-recovery.ts); this file knows only the registry.
 */
import { and, eq, lt, ne, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { hostname } from 'node:os';
import type { Executor } from '../db/client.js';
import { workerProcesses } from '../db/schema.js';
import { UNNAMED_CLAIM_STALE_SECONDS } from './stale-periods.js';

/**
 * Whether a row being sent was abandoned: its claimant is no longer registered, or it names none
 * and has not been touched for UNNAMED_CLAIM_STALE_SECONDS. One rule for every ledger that claims.
 */
export function isAbandonedClaim(claimedBy: SQLWrapper, updatedAt: SQLWrapper): SQL {
  return sql`CASE WHEN ${claimedBy} IS NULL THEN ${updatedAt} < now() - make_interval(secs => ${UNNAMED_CLAIM_STALE_SECONDS})
    ELSE NOT EXISTS (SELECT 1 FROM ${workerProcesses} w WHERE w.id = ${claimedBy}) END`;
}

/**
 * Registers the process, or renews its heartbeat: one upsert, so a process whose row was deleted
 * (taken for dead while Postgres was out of its reach) is back at its next beat. Returns Postgres's
 * clock, the one every heartbeat is compared with.
 */
export async function beatWorkerProcess(db: Executor, id: string): Promise<Date> {
  const [row] = await db
    .insert(workerProcesses)
    .values({ id, host: hostname(), pid: process.pid })
    .onConflictDoUpdate({ target: workerProcesses.id, set: { heartbeatAt: sql`now()` } })
    .returning({ at: workerProcesses.heartbeatAt });
  return row!.at;
}

/**
 * Deletes the processes (other than `self`) silent for `silentSeconds`, and returns their ids. None
 * in the first `silentSeconds` after Postgres started: while it was down nobody could beat.
 */
export async function forgetSilentWorkerProcesses(db: Executor, self: string, silentSeconds: number): Promise<string[]> {
  const silentSince = sql`now() - make_interval(secs => ${silentSeconds})`;
  const rows = await db
    .delete(workerProcesses)
    .where(and(ne(workerProcesses.id, self), lt(workerProcesses.heartbeatAt, silentSince), sql`pg_postmaster_start_time() < ${silentSince}`))
    .returning({ id: workerProcesses.id });
  return rows.map((row) => row.id);
}

/** A clean shutdown: the process is gone, not silent. */
export async function forgetWorkerProcess(db: Executor, id: string): Promise<void> {
  await db.delete(workerProcesses).where(eq(workerProcesses.id, id));
}

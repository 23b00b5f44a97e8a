/**
 * A broadcast's progress as server-sent events: an `event: progress` with the same JSON as
 * GET /api/v1/broadcasts/:id once a second, until the broadcast completes or is cancelled or the
 * client goes. The API's stream (API key) and the web app's (session) are both this one loop; each
 * route checks first that the broadcast is the caller's, and `read` checks again on every tick.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/client.js';
import { broadcastProgress, getOwnedBroadcast, type BroadcastProgress } from './broadcast-service.js';

const TERMINAL = new Set(['completed', 'cancelled']);
const TICK_MS = 1_000;

async function streamBroadcastProgress(request: FastifyRequest, reply: FastifyReply, read: () => Promise<BroadcastProgress>): Promise<void> {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let open = true;
  request.raw.on('close', () => (open = false));
  try {
    while (open) {
      const progress = await read();
      reply.raw.write(`event: progress\ndata: ${JSON.stringify(progress)}\n\n`);
      if (TERMINAL.has(progress.status)) break;
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  } catch (error) {
    // The stream is already open: say so in it, then close it (the client may reconnect).
    request.log.warn({ err: error }, 'broadcast event stream failed');
    reply.raw.write(`event: error\ndata: ${JSON.stringify({ error: { code: 'stream_failed', message: 'Progress is unavailable right now' } })}\n\n`);
  } finally {
    reply.raw.end();
  }
}

/**
 * The stream of one of the organiser's broadcasts: a 404 before the stream opens if it is not theirs,
 * and each tick reads it as theirs again (a campaign deleted meanwhile ends the stream with an error).
 */
export async function streamOwnedBroadcastProgress(db: Database, organiserId: string, broadcastId: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await getOwnedBroadcast(db, organiserId, broadcastId);
  await streamBroadcastProgress(request, reply, async () => broadcastProgress(db, (await getOwnedBroadcast(db, organiserId, broadcastId)).broadcast));
}

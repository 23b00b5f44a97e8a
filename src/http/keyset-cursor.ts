/**
 * Opaque cursors for keyset pagination: the last row's created_at (as Postgres text, so no
 * microsecond is lost) and id, base64url-encoded. A cursor that does not decode is the client's
 * error, reported on the `cursor` field.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';

export interface KeysetCursor {
  createdAt: string;
  id: string;
}

const cursorSchema = z.tuple([z.string().min(1).max(64), z.uuid()]);

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetCursor {
  try {
    const [createdAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (Number.isNaN(Date.parse(createdAt))) throw new Error('not a timestamp');
    return { createdAt, id };
  } catch {
    throw new ValidationError('must be a nextCursor value from a previous page', 'cursor');
  }
}

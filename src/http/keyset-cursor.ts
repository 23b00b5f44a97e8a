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

/**
 * Postgres' own text form of a timestamptz, e.g. "2026-11-23 14:34:54.123456+00". Anything looser
 * (Date.parse takes "1" or "March 7") would reach `::timestamptz` and fail there as a 500.
 */
const POSTGRES_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::?(\d{2}))?)$/;

function isPostgresTimestamp(value: string): boolean {
  const match = POSTGRES_TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year!, month! - 1, day));
  return (
    year! >= 1 &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 60 &&
    offsetHours! < 16 &&
    offsetMinutes! < 60
  );
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetCursor {
  try {
    const [createdAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!isPostgresTimestamp(createdAt)) throw new Error('not a timestamp');
    return { createdAt, id };
  } catch {
    throw new ValidationError('must be a nextCursor value from a previous page', 'cursor');
  }
}

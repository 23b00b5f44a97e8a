/**
 * Files sent with a multipart form under /app. @fastify/multipart reads the whole form before the
 * CSRF check (organiser-app.ts), giving the fields to the body and each file to `collectUpload`,
 * which keeps it for the route; a request's files go with it (a WeakMap, so nothing outlives it).
 */
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';

export interface Upload {
  /** The form field it came in. */
  field: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

const uploads = new WeakMap<FastifyRequest, Upload[]>();

export async function collectUpload(this: FastifyRequest, part: MultipartFile): Promise<void> {
  const content = await part.toBuffer();
  // A file input left empty still sends a part: no name, no bytes. It is not an upload.
  if (part.filename === '' && content.length === 0) return;
  const list = uploads.get(this) ?? [];
  list.push({ field: part.fieldname, filename: part.filename || 'attachment', contentType: part.mimetype, content });
  uploads.set(this, list);
}

export function uploadsOf(request: FastifyRequest): Upload[] {
  return uploads.get(request) ?? [];
}

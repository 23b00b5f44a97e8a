/**
 * The files of an official reply, as the public campaign page links them: only a forwarded reply's
 * (trusted and forwarded by the policy, or approved by the organiser), never a held or rejected
 * one's, and only under its own campaign's address. Served as the document or image they were
 * checked to be (attachment-policy.ts), never sniffed, never run.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Executor } from '../db/client.js';
import { campaigns, replies, replyAttachments } from '../db/schema.js';
import { notFoundPage, sendPage } from '../web/page-reply.js';

export interface PublicReplyFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

export function replyFilePath(slug: string, file: Pick<PublicReplyFile, 'id' | 'filename'>): string {
  return `/c/${slug}/reply-files/${file.id}/${encodeURIComponent(file.filename)}`;
}

export async function listPublicReplyFiles(db: Executor, replyId: string): Promise<PublicReplyFile[]> {
  return db
    .select({
      id: replyAttachments.id,
      filename: replyAttachments.filename,
      contentType: replyAttachments.contentType,
      size: sql<number>`octet_length(${replyAttachments.content})`.mapWith(Number),
    })
    .from(replyAttachments)
    .where(eq(replyAttachments.replyId, replyId))
    .orderBy(replyAttachments.filename);
}

async function findPublicReplyFile(db: Database, slug: string, fileId: string) {
  const [row] = await db
    .select({ filename: replyAttachments.filename, contentType: replyAttachments.contentType, content: replyAttachments.content })
    .from(replyAttachments)
    .innerJoin(replies, eq(replies.id, replyAttachments.replyId))
    .innerJoin(campaigns, eq(campaigns.id, replies.campaignId))
    .where(and(eq(replyAttachments.id, fileId), eq(replies.status, 'forwarded'), eq(campaigns.slug, slug), isNull(campaigns.deletedAt)));
  return row;
}

/** What a browser may show in the tab; everything else (office documents) is downloaded. */
export const SHOWN_INLINE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** RFC 6266: an ASCII fallback and the real name, UTF-8 percent-encoded. */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const fileParams = z.strictObject({ slug: z.string().min(1).max(80), id: z.string().max(100), name: z.string().max(1000) });

export const publicReplyFileRoutes: FastifyPluginAsyncZod<{ db: Database }> = async (app, { db }) => {
  app.get('/c/:slug/reply-files/:id/:name', { schema: { hide: true, params: fileParams } }, async (request, reply) => {
    const { slug, id } = request.params;
    const file = z.uuid().safeParse(id).success ? await findPublicReplyFile(db, slug, id) : undefined;
    if (!file) return sendPage(reply, 404, notFoundPage());
    const type = SHOWN_INLINE.has(file.contentType) ? file.contentType : 'application/octet-stream';
    return reply
      .type(type)
      .header('content-disposition', contentDisposition(type === 'application/octet-stream' ? 'attachment' : 'inline', file.filename))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=300')
      .send(file.content);
  });
};

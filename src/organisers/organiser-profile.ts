/**
 * The organiser's profile (name, website, postal address) and logo: the rules, with no HTTP. A logo
 * is accepted only when its bytes are a PNG or JPEG (sniffed, whatever the upload claims) that the
 * PDF library can read, within the size limit; anything else changes nothing.
 */
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { multiLine, singleLine } from '../campaigns/campaign-schemas.js';
import type { Database } from '../db/client.js';
import { organiserLogos, organisers } from '../db/schema.js';
import { NotFoundError, ValidationError } from '../errors.js';

export const LOGO_TYPES = { png: 'image/png', jpg: 'image/jpeg' } as const;
export type LogoContentType = (typeof LOGO_TYPES)[keyof typeof LOGO_TYPES];

const website = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain, message: 'must be a web address starting with https:// or http://' })
  .max(300);

export const profileBody = z
  .strictObject({
    name: singleLine(200).describe('The organisation’s name, as on its letterhead'),
    website: website.nullable().optional().describe('Its website; null or absent: none'),
    postalAddress: multiLine(500)
      // Forms send CRLF line ends: stored as LF, as typed in JSON.
      .transform((value) => value.trim().replace(/\r\n?/g, '\n').replace(/[ \t]+\n/g, '\n'))
      .refine((value) => value.split('\n').length <= 8, { message: 'must be at most 8 lines' })
      .nullable()
      .optional()
      .describe('Postal address, one line per line of the address; null or absent: none'),
  })
  .meta({
    example: { name: 'United Nations Association – UK', website: 'https://una.org.uk', postalAddress: '3 Whitehall Court\nLondon SW1A 2EL' },
  });

export type ProfileInput = z.output<typeof profileBody>;

export interface OrganiserProfile {
  id: string;
  name: string;
  website: string | null;
  postalAddress: string | null;
  logo: { contentType: string; bytes: number; sha256: string; updatedAt: Date } | null;
}

export async function getProfile(db: Database, organiserId: string): Promise<OrganiserProfile> {
  const [row] = await db
    .select({
      id: organisers.id,
      name: organisers.name,
      website: organisers.website,
      postalAddress: organisers.postalAddress,
      logoType: organiserLogos.contentType,
      logoBytes: sql<number | null>`octet_length(${organiserLogos.content})`,
      logoSha256: organiserLogos.sha256,
      logoUpdatedAt: organiserLogos.updatedAt,
    })
    .from(organisers)
    .leftJoin(organiserLogos, eq(organiserLogos.organiserId, organisers.id))
    .where(eq(organisers.id, organiserId));
  if (!row) throw new NotFoundError('Organiser not found');
  const { logoType, logoBytes, logoSha256, logoUpdatedAt, ...profile } = row;
  return {
    ...profile,
    logo: logoType && logoSha256 && logoUpdatedAt ? { contentType: logoType, bytes: Number(logoBytes), sha256: logoSha256, updatedAt: logoUpdatedAt } : null,
  };
}

export async function updateProfile(db: Database, organiserId: string, input: ProfileInput): Promise<OrganiserProfile> {
  await db
    .update(organisers)
    .set({ name: input.name, website: input.website ?? null, postalAddress: input.postalAddress || null })
    .where(eq(organisers.id, organiserId));
  return getProfile(db, organiserId);
}

export function logoTooLarge(maxBytes: number): ValidationError {
  return new ValidationError(`The logo must be at most ${Math.floor(maxBytes / 1024)} KB`, 'logo');
}

/** What the file is, from its bytes; throws ValidationError (field `logo`) for anything but a readable PNG or JPEG. */
export async function checkLogo(content: Buffer, maxBytes: number): Promise<LogoContentType> {
  if (content.length === 0) throw new ValidationError('The logo file is empty', 'logo');
  if (content.length > maxBytes) throw logoTooLarge(maxBytes);
  const { fileTypeFromBuffer } = await import('file-type');
  const sniffed = (await fileTypeFromBuffer(content))?.ext;
  const contentType = sniffed === 'png' || sniffed === 'jpg' ? LOGO_TYPES[sniffed] : undefined;
  if (!contentType) {
    throw new ValidationError(`The logo must be a PNG or JPEG image (this file is ${sniffed ? `a ${sniffed.toUpperCase()}` : 'not an image we can read'})`, 'logo');
  }
  // The letter's PDF must be able to print it: pdfkit refuses some PNG and JPEG variants.
  const { default: PDFDocument } = await import('pdfkit');
  const probe = new PDFDocument({ autoFirstPage: false }) as PDFKit.PDFDocument & { openImage(src: Buffer): { width: number; height: number } };
  let size: { width: number; height: number };
  try {
    size = probe.openImage(content);
  } catch {
    throw new ValidationError('The logo image is damaged or uses a PNG or JPEG variant we cannot print', 'logo');
  }
  if (!(size.width > 0 && size.height > 0 && size.width <= 5000 && size.height <= 5000)) {
    throw new ValidationError('The logo must be at most 5000 × 5000 pixels', 'logo');
  }
  return contentType;
}

export async function replaceLogo(db: Database, organiserId: string, content: Buffer, maxBytes: number): Promise<OrganiserProfile> {
  const contentType = await checkLogo(content, maxBytes);
  const sha256 = createHash('sha256').update(content).digest('hex');
  await db
    .insert(organiserLogos)
    .values({ organiserId, contentType, content, sha256 })
    .onConflictDoUpdate({ target: organiserLogos.organiserId, set: { contentType, content, sha256, updatedAt: sql`now()` } });
  return getProfile(db, organiserId);
}

export async function removeLogo(db: Database, organiserId: string): Promise<OrganiserProfile> {
  await db.delete(organiserLogos).where(eq(organiserLogos.organiserId, organiserId));
  return getProfile(db, organiserId);
}

export async function findLogo(db: Database, organiserId: string) {
  const [row] = await db
    .select({ contentType: organiserLogos.contentType, content: organiserLogos.content, sha256: organiserLogos.sha256, updatedAt: organiserLogos.updatedAt })
    .from(organiserLogos)
    .where(eq(organiserLogos.organiserId, organiserId));
  return row;
}

/** The current logo's hash (its URL's version), without its bytes: what a page linking to it needs. */
export async function findLogoVersion(db: Database, organiserId: string): Promise<string | undefined> {
  const [row] = await db.select({ sha256: organiserLogos.sha256 }).from(organiserLogos).where(eq(organiserLogos.organiserId, organiserId));
  return row?.sha256;
}

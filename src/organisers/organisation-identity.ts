/**
 * The organisation as it presents itself on paper and in mail: name, website, postal address and
 * logo. Read by the workers for the letterhead of the letter to the target and the footer of every
 * supporter mail.
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { organiserLogos, organisers } from '../db/schema.js';

export interface OrganisationIdentity {
  name: string;
  website: string | null;
  postalAddress: string | null;
  logo?: { content: Buffer; contentType: string; sha256: string } | null;
}

/** Name, website and address (no logo): what a mail footer needs. */
export async function loadOrganisationIdentity(db: Executor, organiserId: string): Promise<OrganisationIdentity | undefined> {
  const [row] = await db
    .select({ name: organisers.name, website: organisers.website, postalAddress: organisers.postalAddress })
    .from(organisers)
    .where(eq(organisers.id, organiserId));
  return row;
}

/** With the logo's bytes: what the letterhead needs. */
export async function loadLetterhead(db: Executor, organiserId: string): Promise<OrganisationIdentity | undefined> {
  const identity = await loadOrganisationIdentity(db, organiserId);
  if (!identity) return undefined;
  const [logo] = await db
    .select({ content: organiserLogos.content, contentType: organiserLogos.contentType, sha256: organiserLogos.sha256 })
    .from(organiserLogos)
    .where(eq(organiserLogos.organiserId, organiserId));
  return { ...identity, logo: logo ?? null };
}

/** One small line for the foot of a supporter mail: "UNA-UK · 3 Whitehall Court, London SW1A 2EL · una.org.uk". */
export function organisationFooterLine(identity: OrganisationIdentity | undefined): string | undefined {
  if (!identity) return undefined;
  const address = identity.postalAddress?.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).join(', ');
  const website = identity.website?.replace(/^https?:\/\//, '').replace(/\/$/, '');
  return [identity.name, address, website].filter(Boolean).join(' · ');
}

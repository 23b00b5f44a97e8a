/** What the public campaign page shows, read for one campaign: the letter, the reply and its files, the delivery. */
import type { Database } from '../db/client.js';
import type { CampaignRow } from '../db/schema.js';
import { renderPublicLetter } from '../campaigns/public-letter.js';
import { findLetterDeliveredAt } from '../letters/letter-delivered.js';
import { listPublicReplyFiles, replyFilePath } from '../replies/public-reply-files.js';
import { replyAuthor, replyDate } from '../replies/reply-attribution.js';
import { findForwardedReply } from '../replies/reply-queries.js';
import { logoPath, logoUrl } from '../organisers/logo-url.js';
import { findLogoVersion } from '../organisers/organiser-profile.js';
import { formatLetterDate } from '../templates/merge-fields.js';
import type { CampaignPageModel } from '../web/campaign-page.js';
import { trustedHtml } from '../web/html.js';

const FILE_KINDS: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
};

function describeFile(contentType: string, size: number): string {
  const kind = FILE_KINDS[contentType] ?? 'document';
  const amount = size >= 1024 * 1024 ? `${(size / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(size / 1024))} KB`;
  return `${kind}, ${amount}`;
}

export async function loadCampaignPageModel(db: Database, campaign: CampaignRow, publicBaseUrl: string): Promise<CampaignPageModel> {
  // Merge fields appear as neutral placeholders ("[your name]") until someone signs.
  const letter = renderPublicLetter(campaign);
  const [reply, deliveredAt, logoVersion] = await Promise.all([
    findForwardedReply(db, campaign.id),
    findLetterDeliveredAt(db, campaign.id),
    findLogoVersion(db, campaign.organiserId),
  ]);
  const files = reply ? await listPublicReplyFiles(db, reply.id) : [];
  return {
    slug: campaign.slug,
    url: `${publicBaseUrl}/c/${campaign.slug}`,
    title: campaign.title,
    summary: campaign.summary,
    organisation: campaign.senderName,
    // The page loads it from its own origin (its CSP allows no other); link previews need it absolute.
    logo: logoVersion
      ? { path: logoPath(campaign.organiserId, logoVersion), url: logoUrl(publicBaseUrl, campaign.organiserId, logoVersion) }
      : undefined,
    targetName: campaign.targetName,
    targetAddress: campaign.targetAddress,
    letter: letter.ok ? { subject: letter.subject, html: trustedHtml(letter.html) } : undefined,
    supporterCount: campaign.supporterCount,
    consentStatement: campaign.consentStatement,
    open: campaign.status === 'open',
    deliveredOn: deliveredAt ? formatLetterDate(deliveredAt) : undefined,
    reply: reply
      ? {
          author: replyAuthor(reply),
          fromAddress: reply.fromAddress,
          date: formatLetterDate(replyDate(reply)),
          html: trustedHtml(reply.html),
          files: files.map((file) => ({ href: replyFilePath(campaign.slug, file), filename: file.filename, description: describeFile(file.contentType, file.size) })),
        }
      : undefined,
  };
}

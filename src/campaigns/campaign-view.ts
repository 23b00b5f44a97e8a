import type { CampaignRow } from '../db/schema.js';
import type { CampaignView } from './campaign-schemas.js';

export interface PublicAddresses {
  publicBaseUrl: string;
  inboundDomain: string;
}

export function replyAddressOf(replyToken: string, inboundDomain: string): string {
  return `reply+${replyToken}@${inboundDomain}`;
}

export function toCampaignView(row: CampaignRow, addresses: PublicAddresses): CampaignView {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    summary: row.summary,
    status: row.status,
    letter: { subject: row.letterSubject, body: row.letterBody },
    target: { name: row.targetName, email: row.targetEmail, address: row.targetAddress },
    sender: { name: row.senderName, email: row.senderEmail },
    replyPolicy: { mode: row.replyMode, allowedSenders: row.replyAllowedSenders },
    consentStatement: row.consentStatement,
    supporterCount: row.supporterCount,
    replyAddress: replyAddressOf(row.replyToken, addresses.inboundDomain),
    publicUrl: `${addresses.publicBaseUrl}/c/${row.slug}`,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    publishedAt: row.publishedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
  };
}

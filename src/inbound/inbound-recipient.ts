/**
 * Whether the service takes mail for an address, decided when the sender names it (RCPT TO, or the
 * HTTP intake's X-Envelope-To): a reply address of a campaign that exists, or a return path whose
 * token's MAC is right. A forged or altered return path is refused there and then, so nothing it
 * carried is ever stored, let alone acted on.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Executor } from '../db/client.js';
import { campaigns } from '../db/schema.js';
import { verifyReturnPathToken, type ReturnPathRow } from '../mail/return-path.js';
import { parseInboundAddress } from './inbound-address.js';

export type AcceptedRecipient = { kind: 'reply'; campaignId: string } | { kind: 'bounce'; row: ReturnPathRow };

export async function acceptedRecipient(
  db: Executor,
  config: Pick<Config, 'INBOUND_DOMAIN' | 'SECRET_KEY'>,
  address: string,
): Promise<AcceptedRecipient | undefined> {
  const parsed = parseInboundAddress(address, config.INBOUND_DOMAIN);
  if (parsed?.kind === 'bounce') {
    const row = verifyReturnPathToken(config.SECRET_KEY, parsed.token);
    return row && { kind: 'bounce', row };
  }
  if (parsed?.kind !== 'reply') return undefined;
  const [campaign] = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(and(eq(campaigns.replyToken, parsed.token), isNull(campaigns.deletedAt)));
  return campaign && { kind: 'reply', campaignId: campaign.id };
}

/**
 * Load: sign-ups hammered on loopback (autocannon, bounded in time, stops by itself) while a
 * broadcast of the same campaign is being sent. No 5xx, every sign-up that was answered 202 is in
 * Postgres with its confirmation mail in the ledger, and the broadcast's counts are exactly its audience.
 */
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { describe, expect, it } from 'vitest';
import { startStack, uniqueSuffix, waitUntil } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { expectExactlyOnePerPerson, FAST, mine, seededCampaign, startUpdate } from './broadcast-checks.js';

const SIZE = 800;
const LOAD_SECONDS = 5;

const ctx = useTestStack({ runs: 'database', organiser: 'Load' });

describe('sign-up under load during a broadcast', () => {
  it('answers no 5xx, keeps every accepted sign-up, and leaves the broadcast’s counts exact', async () => {
    const stack = await startStack({ ...FAST, MAIL_RATE_PER_SECOND: '200' });
    try {
      const campaign = await seededCampaign(ctx, stack, SIZE);
      await stack.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = stack.app.server.address() as AddressInfo;
      const broadcastId = await startUpdate(ctx, stack, campaign.id);
      await waitUntil(() => mine(stack, broadcastId).length >= 100, '100 messages');
      const sentBefore = mine(stack, broadcastId).length;

      const tag = uniqueSuffix();
      let next = 0;
      const statuses = new Map<number, number>();
      const accepted: string[] = [];
      const result = await autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: 10,
        duration: LOAD_SECONDS,
        requests: [
          {
            method: 'POST',
            path: `/api/v1/campaigns/${campaign.slug}/signatures`,
            headers: { 'content-type': 'application/json' },
            // One request at a time per connection: the context still holds this request's address when its answer comes.
            setupRequest: (request, context: { email?: string }) => {
              context.email = `load-${tag}-${next++}@example.org`;
              return { ...request, body: JSON.stringify({ name: `Load ${next}`, email: context.email, consent: true }) };
            },
            onResponse: (status, _body, context: { email?: string }) => {
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
              if (status === 202) accepted.push(context.email!);
            },
          },
        ],
      });
      // The broadcast was under way when the load began and went on sending during it.
      expect(sentBefore).toBeLessThan(SIZE);
      expect(mine(stack, broadcastId).length).toBeGreaterThan(sentBefore);

      expect(Object.fromEntries(statuses)).toEqual({ 202: accepted.length });
      expect({ errors: result.errors, timeouts: result.timeouts }).toEqual({ errors: 0, timeouts: 0 });
      expect(accepted.length).toBeGreaterThan(100);

      const { rows } = await ctx.handle.pool.query<{ email: string; confirmations: number }>(
        `SELECT ct.email, (SELECT count(*)::int FROM transactional_messages tm WHERE tm.supporter_id = s.id AND tm.kind = 'confirmation') AS confirmations
         FROM supporters s JOIN contacts ct ON ct.id = s.contact_id
         WHERE s.campaign_id = $1 AND ct.email = ANY($2::text[])`,
        [campaign.id, accepted],
      );
      expect(rows).toHaveLength(accepted.length);
      expect(rows.filter((row) => row.confirmations !== 1)).toEqual([]);

      await expectExactlyOnePerPerson(ctx, stack, broadcastId, SIZE);
    } finally {
      await stack.close();
    }
  }, 90_000);
});

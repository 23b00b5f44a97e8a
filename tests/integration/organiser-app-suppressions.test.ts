/**
 * /app/suppressions without a browser: who may lift what, and bad input told beside its field with
 * nothing changed. (The journey itself, with screenshots, is tests/browser/suppressions-in-chromium.test.ts;
 * CSRF and other organisers' ids are in the authorisation matrix.)
 */
import { describe, expect, it } from 'vitest';
import { addSuppression } from '../../src/suppressions/suppressions.js';
import { emailHash } from '../../src/supporters/email-address.js';
import { appGet, appPost, signIn } from '../support/app-session.js';
import { createPublishedCampaign, uniqueSuffix } from '../support/harness.js';
import { fingerprint } from '../support/routes.js';
import { useTestStack } from '../support/test-stack.js';

const { app, handle } = useTestStack({ runs: 'app' });

async function suppressionId(email: string, organiserId: string | null): Promise<string> {
  const { rows } = await handle.pool.query<{ id: string }>('SELECT id FROM suppressions WHERE email_hash = $1 AND organiser_id IS NOT DISTINCT FROM $2', [
    emailHash(email),
    organiserId,
  ]);
  return rows[0]!.id;
}

describe('lifting a suppression in the web app', () => {
  it('is for owners, for their own suppressions only, with a reason on one line', async () => {
    const owner = await signIn(handle);
    const editor = await signIn(handle, { organiser: owner.organiser, role: 'editor' });
    const organiserId = owner.user.organiserId;
    const campaign = await createPublishedCampaign(app, owner.organiser);
    const tag = uniqueSuffix();
    const complained = `complained-${tag}@example.org`;
    const bounced = `bounced-${tag}@example.org`;
    const unsubscribed = `unsubscribed-${tag}@example.org`;
    await addSuppression(handle.db, { email: complained, organiserId, reason: 'complaint', source: 'complaint', campaignId: campaign.id });
    await addSuppression(handle.db, { email: bounced, organiserId: null, reason: 'hard_bounce', source: 'dsn', campaignId: campaign.id });
    await addSuppression(handle.db, { email: unsubscribed, organiserId, reason: 'unsubscribe_all', source: 'unsubscribe', campaignId: campaign.id });
    const complaint = await suppressionId(complained, organiserId);
    const before = await fingerprint(handle);

    // An editor sees the list but cannot lift.
    const seen = await appGet(app, editor, '/app/suppressions');
    expect(seen.statusCode).toBe(200);
    expect(seen.body).toContain('An owner can lift it');
    expect((await appGet(app, editor, `/app/suppressions/${complaint}/remove`)).statusCode).toBe(403);
    expect((await appPost(app, editor, `/app/suppressions/${complaint}/remove`, { reason: 'An editor tries' })).statusCode).toBe(403);

    // Bad reasons: the question page again, the error beside the field.
    for (const [reason, message] of [
      ['', 'Enter why you are lifting it'],
      ['   ', 'Enter why you are lifting it'],
      ['x'.repeat(501), 'in at most 500 characters'],
      ['two\nlines', 'on one line'],
    ] as const) {
      const response = await appPost(app, owner, `/app/suppressions/${complaint}/remove`, { reason });
      expect(response.statusCode, reason).toBe(400);
      expect(response.body).toContain('id="reason-error"');
      expect(response.body).toContain(message);
    }

    // What one organisation may not lift: the page says why.
    const everywhere = await appPost(app, owner, `/app/suppressions/${await suppressionId(bounced, null)}/remove`, { reason: 'Works now' });
    expect(everywhere.statusCode).toBe(409);
    expect(everywhere.body).toContain('one organisation cannot lift it');
    const theirOwn = await appGet(app, owner, `/app/suppressions/${await suppressionId(unsubscribed, organiserId)}/remove`);
    expect(theirOwn.statusCode).toBe(409);
    expect(theirOwn.body).toContain('only they can undo it');

    // A mistyped lookup and a broken page link are told beside their fields.
    const mistyped = await appGet(app, owner, '/app/suppressions?email=not-an-address');
    expect(mistyped.statusCode).toBe(400);
    expect(mistyped.body).toContain('id="email-error"');
    const badCursor = await appGet(app, owner, '/app/suppressions?cursor=nonsense');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.body).toContain('This page link is not valid.');
    expect(await fingerprint(handle)).toEqual(before);

    const lifted = await appPost(app, owner, `/app/suppressions/${complaint}/remove`, { reason: '  She asked for the updates again  ' });
    expect(lifted.statusCode).toBe(303);
    expect(lifted.headers.location).toBe('/app/suppressions?done=removed');
    const { rows } = await handle.pool.query('SELECT reason, removed_by_user_id FROM suppression_removals WHERE suppression_id = $1', [complaint]);
    expect(rows).toEqual([{ reason: 'She asked for the updates again', removed_by_user_id: owner.user.userId }]);
    // Twice (a double click): the second finds nothing to lift, and nothing more is recorded.
    expect((await appPost(app, owner, `/app/suppressions/${complaint}/remove`, { reason: 'Again' })).statusCode).toBe(404);
    expect((await handle.pool.query('SELECT 1 FROM suppression_removals WHERE suppression_id = $1', [complaint])).rowCount).toBe(1);
  });
});

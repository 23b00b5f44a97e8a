/**
 * The letter to the target and the replies inbox in the organiser web app, driven as a browser would
 * (session cookie, CSRF token, forms), on a stack with workers and an SMTP sink: the preview and the
 * question page with the count, the bundle sent and its record, approving a reply once however often
 * it is clicked, rejecting, entering a reply that came by post; and the refusals — no CSRF token,
 * an editor, bad fields, a file that is not a PDF — each of which changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { appGet, appPost, signIn, type AppSession } from '../support/app-session.js';
import { createPublishedCampaign, waitForValue } from '../support/harness.js';
import { countRows, seedSupporters } from '../support/seed.js';
import { fingerprint } from '../support/routes.js';
import { useTestStack } from '../support/test-stack.js';
import { CSRF_FIELD } from '../../src/web/form-fields.js';

const { stack, app, handle, organiser } = useTestStack({ organiser: 'UNA-UK' });
let owner: AppSession;
let editor: AppSession;
let campaign: { id: string; slug: string };

const SUPPORTERS = 3;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

beforeAll(async () => {
  owner = await signIn(handle, { organiser, role: 'owner', name: 'Olive Owner' });
  editor = await signIn(handle, { organiser, role: 'editor', name: 'Eddie Editor' });
  campaign = await createPublishedCampaign(app, organiser, { replyPolicy: { mode: 'approve', allowedSenders: ['fco.gov.example'] } });
  await seedSupporters(handle, campaign.id, SUPPORTERS, `letter-replies-${campaign.id.slice(0, 8)}`);
});

function errorBeside(page: string, field: string): string | undefined {
  return new RegExp(`<span class="error" id="${field}-error"><span class="visually-hidden">Error:</span> ([^<]*)</span>`).exec(page)?.[1];
}

/** A multipart form as a browser sends one with a file field. */
function multipartPost(session: AppSession, url: string, fields: Record<string, string>, file?: { name: string; type: string; content: Buffer }, csrf = true) {
  const boundary = `----form${Date.now()}`;
  const parts: Buffer[] = [];
  const all = csrf ? { [CSRF_FIELD]: session.csrfToken, ...fields } : fields;
  for (const [name, value] of Object.entries(all)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="letter"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.content, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return app.inject({ method: 'POST', url, headers: { cookie: session.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.concat(parts) });
}

async function enterReply(subject: string): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${campaign.id}/replies`,
    headers: organiser.auth,
    payload: { fromAddress: 'conflict.department@fco.gov.example', fromName: 'Conflict Department', subject, body: 'Thank you for your letter.' },
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: string }>().id;
}

describe('the letter to the target', () => {
  it('shows what the target will receive, in a sandboxed frame with its own strict policy, and the PDF', async () => {
    const page = await appGet(app, owner, `/app/campaigns/${campaign.id}/letter`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<iframe class="document-frame" src="/app/campaigns/');
    expect(page.body).toContain('sandbox=""');
    expect(page.body).toContain(`Signatories (${SUPPORTERS})`);
    expect(page.body).toContain('letter-and-signatories.pdf');
    expect(page.body).toContain('Send the letter…');

    const framed = await appGet(app, owner, `/app/campaigns/${campaign.id}/letter/preview.html?mode=bundle`);
    expect(framed.headers['content-security-policy']).toContain("default-src 'none'");
    expect(framed.headers['content-security-policy']).toContain('sandbox');
    expect(framed.body).toContain('Supporter 1');

    const pdf = await appGet(app, owner, `/app/campaigns/${campaign.id}/letter/preview.pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('is not sent by an editor (who sees no button), nor without the CSRF token: 403, nothing changes', async () => {
    const page = await appGet(app, editor, `/app/campaigns/${campaign.id}/letter`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Send the letter…');
    expect((await appGet(app, editor, `/app/campaigns/${campaign.id}/letter/send?mode=bundle`)).statusCode).toBe(403);
    const before = await fingerprint(handle);
    expect((await appPost(app, editor, `/app/campaigns/${campaign.id}/letter/send`, { mode: 'bundle' })).statusCode).toBe(403);
    expect((await appPost(app, owner, `/app/campaigns/${campaign.id}/letter/send`, { mode: 'bundle' }, { csrfToken: null })).statusCode).toBe(403);
    expect((await appPost(app, owner, `/app/campaigns/${campaign.id}/letter/send`, { mode: 'by pigeon' })).statusCode).toBe(400);
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('asks with the count, sends the bundle once, and keeps the record: when, by whom, the SMTP answer, the PDF', async () => {
    const ask = await appGet(app, owner, `/app/campaigns/${campaign.id}/letter/send?mode=bundle`);
    expect(ask.body).toContain(`signed by ${SUPPORTERS} supporters?</h1>`);
    const sent = await appPost(app, owner, `/app/campaigns/${campaign.id}/letter/send`, { mode: 'bundle' });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/app/campaigns/${campaign.id}/letter?mode=bundle&done=sent`);
    const letter = await waitForValue(
      async () => (await handle.pool.query<{ id: string; status: string; sent_by_user_id: string }>('SELECT id, status, sent_by_user_id FROM target_letters WHERE campaign_id = $1', [campaign.id])).rows[0],
      (row) => row?.status === 'sent',
      'the bundle sent',
    );
    expect(letter!.sent_by_user_id).toBe(owner.user.userId);

    const page = await appGet(app, owner, `/app/campaigns/${campaign.id}/letter`);
    expect(page.body).toContain('Sent: accepted by our mail server');
    expect(page.body).toMatch(/<code>250[^<]*<\/code>/);
    expect(page.body).toContain('by Olive Owner');
    expect(page.body).toContain(`<a href="/app/target-letters/${letter!.id}/pdf">letter-and-signatories.pdf</a>`);
    const pdf = await appGet(app, editor, `/app/target-letters/${letter!.id}/pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((await appGet(app, editor, `/app/target-letters/${letter!.id}`)).body).toContain('letter-and-signatories.pdf');

    const again = await appPost(app, owner, `/app/campaigns/${campaign.id}/letter/send`, { mode: 'bundle' });
    expect(again.statusCode).toBe(409);
    expect(await countRows(handle, 'SELECT count(*) AS n FROM target_letters WHERE campaign_id = $1', [campaign.id])).toBe(1);
    const overview = await appGet(app, owner, `/app/campaigns/${campaign.id}`);
    expect(overview.body).toContain('(sent by Olive Owner)');
  });
});

describe('approving a reply', () => {
  it('is refused without the CSRF token and for an editor (403), and changes nothing', async () => {
    const replyId = await enterReply('Refusals');
    const before = await fingerprint(handle);
    expect((await appPost(app, owner, `/app/replies/${replyId}/approve`, {}, { csrfToken: null })).statusCode).toBe(403);
    expect((await appPost(app, editor, `/app/replies/${replyId}/approve`, {})).statusCode).toBe(403);
    expect((await appPost(app, editor, `/app/replies/${replyId}/reject`, {})).statusCode).toBe(403);
    expect((await appGet(app, editor, `/app/replies/${replyId}/approve`)).statusCode).toBe(403);
    expect(await fingerprint(handle)).toEqual(before);
    const page = await appGet(app, editor, `/app/replies/${replyId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Approve and forward…');
  });

  it('refuses an introduction that is not a valid template, beside the field, and forwards nothing', async () => {
    const replyId = await enterReply('Bad introduction');
    const response = await appPost(app, owner, `/app/replies/${replyId}/approve`, { author: 'The FCO', introduction: 'Dear {{ supporter.name ' });
    expect(response.statusCode).toBe(400);
    expect(errorBeside(response.body, 'introduction')).toMatch(/cannot be used/);
    expect(await countRows(handle, 'SELECT count(*) AS n FROM broadcasts WHERE reply_id = $1', [replyId])).toBe(0);
  });

  it('asks with the supporter count, and a double click forwards once: one broadcast, one delivery each', async () => {
    const replyId = await enterReply('Double click');
    const ask = await appGet(app, owner, `/app/replies/${replyId}/approve`);
    expect(ask.body).toContain(`<h1>Forward to ${SUPPORTERS} supporters?</h1>`);
    const form = { author: 'The Conflict Department', introduction: 'Dear {{ supporter.first_name }}, the reply is below.' };
    const [first, second] = await Promise.all([appPost(app, owner, `/app/replies/${replyId}/approve`, form), appPost(app, owner, `/app/replies/${replyId}/approve`, form)]);
    const third = await appPost(app, owner, `/app/replies/${replyId}/approve`, form);
    const { rows } = await handle.pool.query<{ id: string }>('SELECT id FROM broadcasts WHERE reply_id = $1', [replyId]);
    expect(rows).toHaveLength(1);
    const broadcastId = rows[0]!.id;
    for (const response of [first, second]) {
      // Both racing clicks land on the one broadcast, or on the friendly page that names it.
      if (response.statusCode === 303) expect(response.headers.location).toBe(`/app/broadcasts/${broadcastId}`);
      else expect(response.body).toContain('already forwarded');
    }
    expect(third.statusCode).toBe(200);
    expect(third.body).toContain('This reply is already forwarded');
    expect(third.body).toContain(`/app/broadcasts/${broadcastId}`);
    await waitForValue(
      () => handle.pool.query<{ status: string }>('SELECT status FROM broadcasts WHERE id = $1', [broadcastId]).then((r) => r.rows[0]!.status),
      (status) => status === 'completed',
      'the forward completed',
    );
    expect(await countRows(handle, 'SELECT count(*) AS n FROM deliveries WHERE broadcast_id = $1', [broadcastId])).toBe(SUPPORTERS);
    const row = (await handle.pool.query('SELECT author, decided_by_user_id FROM replies WHERE id = $1', [replyId])).rows[0];
    expect(row).toEqual({ author: 'The Conflict Department', decided_by_user_id: owner.user.userId });
    expect(stack.sink.received.filter((mail) => mail.raw.includes('the reply is below')).length).toBe(SUPPORTERS);
  });

  it('rejects once, recording who; the timeline says so', async () => {
    const replyId = await enterReply('To reject');
    const rejected = await appPost(app, owner, `/app/replies/${replyId}/reject`);
    expect(rejected.statusCode).toBe(303);
    const again = await appPost(app, owner, `/app/replies/${replyId}/reject`);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('already rejected');
    const overview = await appGet(app, owner, `/app/campaigns/${campaign.id}`);
    expect(overview.body).toContain('rejected by Olive Owner');
    expect(overview.body).toContain('approved for forwarding by Olive Owner');
  });
});

describe('entering a reply that came by post', () => {
  const url = () => `/app/campaigns/${campaign.id}/replies`;
  const fields = { fromName: 'Conflict Department', fromAddress: 'conflict.department@fco.gov.example', subject: 'Syria', receivedAt: '2014-06-17', body: 'Thank you for your letter.' };

  it('shows each bad field beside it, records nothing, and refuses a file that is not a PDF', async () => {
    const before = await fingerprint(handle);
    const bad = await multipartPost(owner, url(), { ...fields, fromAddress: 'not an address', receivedAt: '17 June', body: '   ' });
    expect(bad.statusCode).toBe(400);
    expect(errorBeside(bad.body, 'fromAddress')).toMatch(/email address/);
    expect(errorBeside(bad.body, 'receivedAt')).toMatch(/2014-06-17/);
    expect(errorBeside(bad.body, 'body')).toMatch(/text of the letter/);
    expect(bad.body).toContain('value="Syria"');
    const disguised = await multipartPost(owner, url(), fields, { name: 'letter.pdf', type: 'application/pdf', content: Buffer.from('MZ this is a program') });
    expect(disguised.statusCode).toBe(400);
    expect(errorBeside(disguised.body, 'letter')).toMatch(/Upload the letter as a PDF/);
    const image = await multipartPost(owner, url(), fields, { name: 'scan.png', type: 'image/png', content: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') });
    expect(image.statusCode).toBe(400);
    expect(errorBeside(image.body, 'letter')).toMatch(/PDF/);
    expect((await multipartPost(owner, url(), fields, undefined, false)).statusCode).toBe(403);
    expect((await multipartPost(editor, url(), fields)).statusCode).toBe(403);
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('records a good one with its PDF, trusted and awaiting approval, entered by the user', async () => {
    const response = await multipartPost(owner, url(), fields, { name: 'reply.pdf', type: 'application/pdf', content: PDF });
    expect(response.statusCode).toBe(303);
    const replyId = /\/app\/replies\/([0-9a-f-]{36})\?done=entered$/.exec(String(response.headers.location))?.[1];
    expect(replyId).toBeDefined();
    const row = (await handle.pool.query('SELECT status, trusted, entered_by_user_id FROM replies WHERE id = $1', [replyId])).rows[0];
    expect(row).toEqual({ status: 'awaiting_approval', trusted: true, entered_by_user_id: owner.user.userId });
    const page = await appGet(app, editor, `/app/replies/${replyId}`);
    expect(page.body).toContain('Entered by Olive Owner');
    const fileId = /href="\/app\/reply-attachments\/([0-9a-f-]{36})"/.exec(page.body)?.[1];
    const file = await appGet(app, editor, `/app/reply-attachments/${fileId}`);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="reply.pdf"/);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    const inbox = await appGet(app, editor, url());
    expect(inbox.body.indexOf('Syria')).toBeLessThan(inbox.body.indexOf('To reject'));
  });
});

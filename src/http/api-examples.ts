/**
 * The example bodies the OpenAPI document shows (and Swagger UI sends with "Try it out"): the
 * UN Association – UK's 2013 letter to the Foreign Secretary on the Responsibility to Protect, a
 * real signature, and the Foreign Office's 2014 reply. Each works as it stands, in the order a
 * campaign is run (tests/integration/openapi-examples.test.ts sends every one to its route).
 * Added to the document by its route, not on the zod schemas: a schema that transforms its input
 * (trims, lower-cases) loses its examples in zod's input JSON Schema.
 */

const R2P_LETTER = `Dear Secretary of State,

The UN Association in the UK is carrying out a major project to help establish the Responsibility to Protect (R2P) as a firm principle of international behaviour. So we are writing to you about the 11 September 2013 informal interactive dialogue of the UN General Assembly on R2P, which many UNA-UK members across the UK want to see make solid progress.

UNA-UK hopes that the UK, as a permanent member of the United Nations Security Council, will make a strong contribution to the 2013 dialogue. We call on the Government to reinvigorate its support for R2P and to convey the need for the UN, individual member states and regional organisations to strengthen the mechanisms available to protect populations from mass atrocities.

UNA-UK recommends that HMG should consider the following key points in its intervention:

- The United Kingdom should reaffirm its support for the Responsibility to Protect and highlight how the government is working to operationalise R2P across government;
- The United Kingdom should make clear that it is committed to developing national capacity to implement R2P and mass atrocity prevention through its national focal point;
- The UK should lead by example as a responsible state and continue to support peer review processes such as the UN Human Rights Council's Universal Periodic Review.

While the UK has appointed a national focal point within the Foreign and Commonwealth Office, there is limited information available on the role and activities of this position. UNA-UK would welcome a clearer public explanation of these.

Yours sincerely,

{{ supporter.name }}
{{ supporter.postcode }}`;

export const R2P_CAMPAIGN = {
  slug: 'responsibility-to-protect-2013',
  title: 'Make the Responsibility to Protect count',
  summary:
    'On 11 September 2013 the UN General Assembly debates the Responsibility to Protect. Ask the Foreign Secretary to make a strong UK contribution, and to explain what the UK’s national focal point for preventing mass atrocities does.',
  letter: { subject: 'The Responsibility to Protect: the 2013 UN dialogue', body: R2P_LETTER },
  target: {
    name: 'The Rt Hon William Hague MP',
    email: 'fcocorrespondence@fco.gov.uk',
    address: 'Secretary of State for Foreign and Commonwealth Affairs\nForeign and Commonwealth Office\nKing Charles Street\nLondon SW1A 2AH',
  },
  sender: { name: 'United Nations Association – UK', email: 'info@una.org.uk' },
  replyPolicy: { mode: 'approve', allowedSenders: ['fco.gov.uk'] },
};

export const R2P_CAMPAIGN_CHANGE = {
  summary:
    'Ask the Foreign Secretary to make a strong UK contribution to the UN’s 2013 dialogue on the Responsibility to Protect, and to explain the role of the UK’s national focal point.',
};

export const R2P_SIGNATURE = { name: 'Margaret Ellis', email: 'margaret.ellis@example.org', postcode: 'SW1A 2EL', consent: true };

export const R2P_PREVIEW = {
  subject: 'The Responsibility to Protect: a letter from {{ supporter.name }}',
  body: 'Dear Secretary of State,\n\nI support UNA-UK’s call on the Responsibility to Protect.\n\nYours sincerely,\n{{ supporter.name }}',
};

export const R2P_UPDATE = {
  kind: 'update',
  subject: 'Your letter on the Responsibility to Protect has gone to the Foreign Secretary',
  body: 'Dear {{ supporter.first_name }},\n\nThank you for signing “{{ campaign.title }}” on {{ signed_at }}. Our letter is now with {{ campaign.target.name }}; we will send you the reply as soon as it comes.',
};

export const R2P_DELIVERY = { mode: 'bundle' };

export const R2P_POSTED_REPLY = {
  fromAddress: 'conflict.department@fco.gov.uk',
  fromName: 'Conflict Department, Foreign & Commonwealth Office',
  subject: 'UNA-UK letter campaign on the Responsibility to Protect (MIN/66425/2014)',
  body: 'Dear Sir Jeremy,\n\nThank you for your covering letter of 14 May 2014 about the United Nations Association-UK’s letter campaign. The UK is fully committed to the concept and the implementation of the Responsibility to Protect (R2P).\n\nA copy of this letter has been emailed to your members who supported the campaign letter.\n\nConflict Department',
  format: 'markdown',
  receivedAt: '2014-06-17',
};

export const R2P_APPROVAL = {
  author: 'The Foreign Office’s Conflict Department',
  introduction:
    'Dear {{ supporter.first_name }},\n\nThe Foreign Office’s Conflict Department has replied to the letter to {{ campaign.target.name }} that you signed on {{ signed_at }}. Their reply, dated 17 June 2014, follows.',
};

/** Why an organiser lifts a suppression (the person wrote in, by post, asking for the updates again). */
export const R2P_SUPPRESSION_REMOVAL = {
  reason: 'Margaret Ellis wrote to us on 2 June 2014 asking to receive the campaign’s updates again',
};

/** Each route's example request body, by "METHOD /path" as the OpenAPI document spells it. */
export const REQUEST_EXAMPLES: Record<string, unknown> = {
  'POST /api/v1/campaigns': R2P_CAMPAIGN,
  'PATCH /api/v1/campaigns/{id}': R2P_CAMPAIGN_CHANGE,
  'POST /api/v1/campaigns/{id}/preview': R2P_PREVIEW,
  'POST /api/v1/campaigns/{slug}/signatures': R2P_SIGNATURE,
  'POST /api/v1/campaigns/{id}/broadcasts': R2P_UPDATE,
  'POST /api/v1/campaigns/{id}/deliver-letter': R2P_DELIVERY,
  'POST /api/v1/replies/{id}/approve': R2P_APPROVAL,
  'DELETE /api/v1/suppressions/{id}': R2P_SUPPRESSION_REMOVAL,
};

type OpenApiDocument = { paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { example?: unknown }> } }>> };

/** The document with each route's example on its JSON request body. */
export function withRequestExamples<T>(document: T): T {
  const paths = (document as OpenApiDocument).paths ?? {};
  for (const [key, example] of Object.entries(REQUEST_EXAMPLES)) {
    const [method, path] = key.split(' ') as [string, string];
    const media = paths[path]?.[method.toLowerCase()]?.requestBody?.content?.['application/json'];
    if (media) media.example = example;
  }
  return document;
}

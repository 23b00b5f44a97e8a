/**
 * The pieces of the campaign screens that need no server: the form read by the API's own schemas
 * (errors in words, beside the right field), the preview of a letter with a typo, and the chart.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONSENT_STATEMENT } from '../../src/db/schema.js';
import { ConflictError, TemplateError } from '../../src/errors.js';
import { CAMPAIGN_FIELDS, errorsOfServiceError, FORM_ERROR, parseCampaignEdit, parseNewCampaign, type CampaignFormValues } from '../../src/organiser-app/campaign-form.js';
import { axisMax, describeSignups, signupChart } from '../../src/organiser-app/signup-chart.js';
import { previewLetterForm } from '../../src/organiser-app/letter-preview.js';

const valid: CampaignFormValues = {
  title: 'The Responsibility to Protect in Syria',
  slug: 'responsibility-to-protect',
  summary: '',
  'letter.subject': 'A letter from {{ supporter.name }}',
  'letter.body': 'Dear Foreign Secretary,\n\nYours sincerely,\n{{ supporter.name }}',
  'target.name': 'The Rt Hon William Hague MP',
  'target.email': 'foreign.secretary@fco.gov.example',
  'target.address': '',
  'sender.name': 'UNA-UK',
  'sender.email': 'campaigns@una.org.example',
  'replyPolicy.mode': 'auto',
  'replyPolicy.allowedSenders': 'fco.gov.example\n\n  minister@fco.gov.example  ',
  consentStatement: '',
};

describe('the campaign form', () => {
  it('becomes the API’s request body: empty optional fields null or left out, one allowed sender a line', () => {
    const parsed = parseNewCampaign(valid);
    expect(parsed.ok && parsed.input).toMatchObject({
      summary: null,
      target: { address: null },
      replyPolicy: { mode: 'auto', allowedSenders: ['fco.gov.example', 'minister@fco.gov.example'] },
    });
    expect(parsed.ok && 'consentStatement' in parsed.input).toBe(false);
  });

  it('puts each refusal of the API’s schema beside its field, in words', () => {
    const parsed = parseNewCampaign({
      ...valid,
      title: ' ',
      slug: 'Not A Slug',
      'target.email': 'not-an-address',
      'replyPolicy.allowedSenders': 'fco.gov.example\nnot a domain',
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.title).toBe('Enter the title');
    expect(parsed.errors.slug).toMatch(/^Web address \(slug\) must be lower-case letters/);
    expect(parsed.errors['target.email']).toBe('Enter an email address like name@example.org');
    expect(parsed.errors['replyPolicy.allowedSenders']).toMatch(/^“not a domain” must be an email address/);
    expect(Object.keys(parsed.errors).every((key) => (CAMPAIGN_FIELDS as readonly string[]).includes(key))).toBe(true);
  });

  it('applies the API’s cross-field rule: auto-forwarding needs an allowed sender', () => {
    const parsed = parseNewCampaign({ ...valid, 'replyPolicy.allowedSenders': '' });
    expect(!parsed.ok && parsed.errors['replyPolicy.allowedSenders']).toMatch(/at least one address or domain/);
  });

  it('leaves the fields locked after publishing out of an edit, whatever the form says', () => {
    const parsed = parseCampaignEdit({ ...valid, slug: 'changed', 'letter.body': 'changed' }, 'open');
    expect(parsed.ok && Object.keys(parsed.input).sort()).toEqual(['consentStatement', 'replyPolicy', 'sender', 'summary', 'title'].sort());
    expect(parsed.ok && parsed.input.consentStatement).toBe(DEFAULT_CONSENT_STATEMENT);
  });

  it('places a service refusal beside the field it names, without the API’s field prefix', () => {
    expect(errorsOfServiceError(new ConflictError('slug_taken', 'Another campaign already uses this slug', 'slug'))).toEqual({
      slug: 'Another campaign already uses this slug',
    });
    expect(errorsOfServiceError(new TemplateError('letter.body: unknown merge field "x" (line 2, column 3)', 'letter.body'))).toEqual({
      'letter.body': 'Unknown merge field "x" (line 2, column 3)',
    });
    expect(errorsOfServiceError(new ConflictError('campaign_locked', 'The letter cannot change', 'letter'))).toEqual({ [FORM_ERROR]: 'The letter cannot change' });
  });
});

describe('the letter preview', () => {
  // No campaign id, so no database is asked for a supporter.
  const noDatabase = {} as never;

  it('merges the sample supporter into the letter as sent', async () => {
    const preview = await previewLetterForm(noDatabase, valid, {});
    expect(preview.person).toEqual({ name: 'Jane Ó Briain', sample: true });
    expect(preview.result.ok && preview.result.letter.subject).toBe('A letter from Jane Ó Briain');
    expect(preview.result.ok && preview.result.letter.html).toContain('Jane Ó Briain');
  });

  it('names the line and column of a typo in a merge field, with the line it is on', async () => {
    const preview = await previewLetterForm(noDatabase, { ...valid, 'letter.body': 'Dear Minister,\n\nFrom {{ supporter.nmae }}' }, {});
    expect(preview.result).toEqual({
      ok: false,
      problem: expect.objectContaining({ part: 'body', line: 3, column: 9, source: 'From {{ supporter.nmae }}' }),
    });
    expect(!preview.result.ok && preview.result.problem.message).toMatch(/unknown merge field "supporter.nmae"/);
  });
});

describe('the sign-up chart', () => {
  const days = [
    { day: '2013-09-03', count: 0 },
    { day: '2013-09-04', count: 7 },
    { day: '2013-09-05', count: 2 },
  ];

  it('rounds its axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 3, 4, 5, 7, 12, 180, 999].map(axisMax)).toEqual([5, 5, 5, 5, 10, 20, 200, 1000]);
  });

  it('says in words what it shows, and has the same numbers as a table', () => {
    expect(describeSignups(days)).toBe('9 sign-ups from 3 Sept to 5 Sept; the most in one day was 7, on Wed, 4 September 2013.');
    const chart = signupChart(days).value;
    expect(chart).toContain('role="img"');
    expect(chart).toMatch(/<title id="signups-title">Sign-ups per day<\/title>/);
    expect(chart.match(/<rect /g)).toHaveLength(3);
    expect(chart).toContain('<th scope="row">Wed, 4 September 2013</th><td>7</td>');
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLetterDate, mergeDataFor, PLACEHOLDER_DATA } from '../../src/templates/merge-fields.js';
import { renderPublicLetter } from '../../src/campaigns/public-letter.js';
import { assertValidTemplates } from '../../src/templates/assert-valid-templates.js';
import { compileLetter, compileLetterThroughLiquid, LetterRenderError, renderLetter, validateTemplate } from '../../src/templates/render-template.js';

const sample = {
  supporterName: 'Jane Ó Briain',
  postcode: 'SW1A 2AH',
  campaignTitle: 'The Responsibility to Protect',
  targetName: 'Rt Hon William Hague MP',
  signedAt: new Date('2013-09-04T10:00:00Z'),
  unsubscribeUrl: 'https://letters.example.org/u/abc',
};
const data = mergeDataFor(sample);

describe('letter templates', () => {
  it('merge every documented field', () => {
    const letter = renderLetter(
      { subject: 'From {{ supporter.first_name }}', body: '{{ supporter.name }} / {{ supporter.postcode }} / {{ campaign.title }} / {{ campaign.target.name }} / {{ signed_at }} / {{ unsubscribe_url }}' },
      data,
    );
    expect(letter.subject).toBe('From Jane');
    expect(letter.text).toBe(
      'Jane Ó Briain / SW1A 2AH / The Responsibility to Protect / Rt Hon William Hague MP / 4 September 2013 / https://letters.example.org/u/abc',
    );
  });

  it('render the fixture campaign letter as safe HTML and readable text', () => {
    const fixture = readFileSync(new URL('../fixtures/campaign-letter-2013.txt', import.meta.url), 'utf8');
    const body = `${fixture}\n\nYours sincerely,\n{{ supporter.name }}`;
    expect(validateTemplate(body)).toBeUndefined();
    const letter = renderLetter({ subject: 'R2P', body }, data);
    expect(letter.text).toContain('Dear Secretary of State,');
    expect(letter.text.endsWith('Yours sincerely,\nJane Ó Briain')).toBe(true);
    expect(letter.html).toContain('<li><p>The United Kingdom should reaffirm its support');
    expect(letter.html).not.toMatch(/<script|onerror|javascript:/i);
  });

  it('escape merged values in HTML and strip markup the organiser should not send', () => {
    const hostile = { ...data, supporter: { ...data.supporter, name: '<img src=x onerror=alert(1)>' } };
    const letter = renderLetter({ subject: 'Hi', body: 'From {{ supporter.name }} <script>alert(1)</script> [x](javascript:alert(1))' }, hostile);
    expect(letter.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(letter.html).not.toMatch(/<script|<img|javascript:/i);
  });

  it('keep a subject on one line whatever the merged values hold', () => {
    const letter = renderLetter({ subject: '{{ supporter.name }}\nBcc: x', body: 'b' }, data);
    expect(letter.subject).toBe('Jane Ó Briain Bcc: x');
  });

  it('show placeholders before anyone signs', () => {
    expect(renderLetter({ subject: 's', body: 'Yours, {{ supporter.name }}' }, PLACEHOLDER_DATA).text).toBe('Yours, [your name]');
  });

  it.each([
    ['{{ supporter.email }}', 'unknown merge field "supporter.email"'],
    ['{{ supporter.name | upcase | nope }}', 'undefined filter: nope'],
    ['{% for x in (1..10) %}', 'not closed'],
    ["{% render 'secret' %}", 'not allowed'],
    ['{{ constructor.name }}', 'unknown merge field "constructor.name"'],
  ])('refuse %j', (source, message) => {
    expect(validateTemplate(source)?.message).toContain(message);
  });

  it('stop a runaway template instead of hanging the worker', () => {
    const runaway = '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}';
    expect(validateTemplate(runaway)).toBeUndefined();
    expect(() => renderLetter({ subject: 's', body: runaway }, data)).toThrow();
  });

  it('date letters the British way', () => {
    expect(formatLetterDate(new Date('2014-06-17T09:00:00Z'))).toBe('17 June 2014');
  });
});

describe('merged values in Markdown', () => {
  it('stay text: a name cannot add a link, emphasis or a heading', () => {
    const hostile = { ...data, supporter: { ...data.supporter, name: '[Read this](https://phish.example) *now* # Big' } };
    const letter = renderLetter({ subject: 's', body: 'From {{ supporter.name }}\n\n[Unsubscribe]({{ unsubscribe_url }})' }, hostile);
    expect(letter.html).not.toContain('phish.example"');
    expect(letter.html).not.toContain('<em>');
    expect(letter.html).toContain('[Read this](https://phish.example) *now* # Big');
    expect(letter.html).toContain('<a href="https://letters.example.org/u/abc"');
  });
});

describe('the compiled letter a broadcast sends', () => {
  const visible = (html: string) =>
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ')
      .trim();
  const fixture = readFileSync(new URL('../fixtures/campaign-letter-2013.txt', import.meta.url), 'utf8');
  const template = {
    subject: 'A letter from {{ supporter.name }}',
    body: `Dear {{ campaign.target.name }},\n\n${fixture}\n\n**{{ supporter.name }}**, {{ supporter.postcode }}, {{ signed_at }}\n\n[Unsubscribe]({{ unsubscribe_url }})`,
  };
  const compiled = compileLetter(template);
  const general = compileLetterThroughLiquid(template);

  // Names as sign-up accepts them: trimmed and not empty.
  const names = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((name) => name.trim() === name && name !== '');

  it('reads exactly like the general rendering, whatever a supporter typed as their name', () => {
    fc.assert(
      fc.property(names, fc.constantFrom('', 'SW1A 2AH', '<b>&'), (name, postcode) => {
        const supporter = mergeDataFor({ ...sample, supporterName: name, postcode });
        const fast = compiled(supporter);
        const slow = general(supporter);
        expect(fast.subject).toBe(slow.subject);
        expect(fast.text).toBe(slow.text);
        expect(visible(fast.html)).toBe(visible(slow.html));
        expect(fast.html).not.toMatch(/<(?!\/?(p|br|strong|em|ul|ol|li|a|blockquote|h\d|hr)\b)/);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a merged value out of markup: only our unsubscribe link may be an href', () => {
    const letter = compileLetter({ subject: 's', body: '[Site](https://example.org/{{ supporter.name }}) and [Me]({{ supporter.name }})' })({
      ...data,
      supporter: { ...data.supporter, name: 'javascript:alert(1)' },
    });
    expect(letter.html).not.toContain('href="javascript:');
    expect(letter.html).toContain('<a>Me</a>');
    expect(compiled(data).html).toContain('<a href="https://letters.example.org/u/abc">Unsubscribe</a>');
  });

  it('still applies filters and tags', () => {
    const letter = compileLetter({ subject: '{{ supporter.name | upcase }}', body: '{% if supporter.postcode != "" %}Near {{ supporter.postcode }}{% endif %}' })(data);
    expect(letter.subject).toBe('JANE Ó BRIAIN');
    expect(letter.text).toBe('Near SW1A 2AH');
  });
});

describe('every render is bounded', () => {
  /** Renders for Eve (whom the save-time trial never is), returning the error it throws. */
  function failureFor(body: string, subject = 'A letter'): LetterRenderError {
    const eve = mergeDataFor({ ...sample, supporterName: 'Eve' });
    try {
      renderLetter({ subject, body }, eve);
    } catch (error) {
      expect(error).toBeInstanceOf(LetterRenderError);
      return error as LetterRenderError;
    }
    throw new Error('rendered without hitting a limit');
  }
  const onlyForEve = (heavy: string) => `Dear Sir,{% if supporter.first_name == "Eve" %}${heavy}{% endif %}`;

  it.each([
    // Loops that write nothing: only the time budget can stop them, however fast the machine.
    ['time', '{% for a in (1..100000) %}{% for b in (1..100000) %}{% endfor %}{% endfor %}', 'too long or too much memory'],
    ['memory, through a filter', '{% assign s = "xxxxxxxxxx" %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}', 'too long or too much memory'],
    ['memory, through a capture never output', `{% capture s %}{% for i in (1..20000) %}${'x'.repeat(1_000)}{% endfor %}{% endcapture %}`, 'too long or too much memory'],
    ['output', `{% for i in (1..1000) %}${'x'.repeat(600)}{% endfor %}`, 'more text than a letter can hold'],
  ])('stops a branch the save-time trial does not enter, by %s, with a reason', (_limit, heavy, reason) => {
    // The trial renders for a long name and for the public page's placeholders: neither is Eve.
    expect(() => assertValidTemplates({ subject: 'A letter', body: onlyForEve(heavy) })).not.toThrow();
    const error = failureFor(onlyForEve(heavy));
    expect(error.part).toBe('body');
    expect(error.reason).toContain(reason);
  });

  it('stops an over-long subject, and names it', () => {
    const error = failureFor('Dear Sir', `{% if supporter.first_name == "Eve" %}{% for i in (1..100) %}${'x'.repeat(20)}{% endfor %}{% endif %}`);
    expect(error.part).toBe('subject');
    expect(error.reason).toContain('more text than a letter can hold');
  });

  it('refuses at save time what the public page’s placeholders would run into', () => {
    const heavy = '{% if supporter.name contains "[" %}{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}{% endif %}';
    expect(() => assertValidTemplates({ subject: 'A letter', body: heavy })).toThrow(/too long or too much memory/);
  });
});

describe('the public page’s letter', () => {
  const campaign = {
    id: '00000000-0000-4000-8000-000000000001',
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    title: 'Protect civilians',
    targetName: 'The Foreign Secretary',
    letterSubject: 'A letter from {{ supporter.name }}',
    letterBody: 'Dear {{ campaign.target.name }},\n\n{{ supporter.name }}',
  };

  it('is rendered once per campaign version, not per view', () => {
    const first = renderPublicLetter(campaign);
    expect(first).toEqual({ ok: true, subject: 'A letter from [your name]', html: expect.stringContaining('Dear The Foreign Secretary,') });
    expect(renderPublicLetter({ ...campaign })).toBe(first);
    expect(renderPublicLetter({ ...campaign, title: 'Another title' })).not.toBe(first);
    expect(renderPublicLetter({ ...campaign, updatedAt: new Date('2026-01-02T00:00:00Z') })).not.toBe(first);
  });

  it('is a problem, not an exception, when it cannot be rendered; and the problem is kept too', () => {
    const broken = { ...campaign, id: '00000000-0000-4000-8000-000000000002', letterBody: `{% for i in (1..1000) %}${'x'.repeat(600)}{% endfor %}` };
    const letter = renderPublicLetter(broken);
    expect(letter).toEqual({ ok: false, problem: 'The public page cannot show the letter: it renders to more text than a letter can hold (a loop?).' });
    expect(renderPublicLetter(broken)).toBe(letter);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatLetterDate, mergeDataFor, PLACEHOLDER_DATA } from '../../src/templates/merge-fields.js';
import { renderLetter, validateTemplate } from '../../src/templates/render-template.js';

const data = mergeDataFor({
  supporterName: 'Jane Ó Briain',
  postcode: 'SW1A 2AH',
  campaignTitle: 'The Responsibility to Protect',
  targetName: 'Rt Hon William Hague MP',
  signedAt: new Date('2013-09-04T10:00:00Z'),
  unsubscribeUrl: 'https://letters.example.org/u/abc',
});

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

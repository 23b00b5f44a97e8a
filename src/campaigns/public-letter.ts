/**
 * The letter as the public page shows it, before anyone has signed: merge fields as placeholders
 * ("[your name]"). It is the same for every visitor of a campaign version, so it is rendered once per
 * version and process and kept in a bounded cache, rather than on every view: a letter with a heavy
 * branch costs at most one bounded render (see liquid-engine.ts) per version, not one per visitor.
 * A letter that cannot be rendered is cached as such too; the page then shows the campaign without
 * it, and the organiser sees why in the API.
 *
 * A cache rather than a rendered copy stored at publish: the title may change after publishing (and
 * shows in the letter), a change to our rendering (the sanitiser, Markdown) applies without a data
 * migration, and a process that starts afresh only re-renders the campaigns people actually visit.
 */
import { LRUCache } from 'lru-cache';
import type { CampaignRow } from '../db/schema.js';
import { PLACEHOLDER_DATA } from '../templates/merge-fields.js';
import { LetterRenderError, renderLetter } from '../templates/render-template.js';

export type PublicLetter = { ok: true; subject: string; html: string } | { ok: false; problem: string };

type LetterSource = Pick<CampaignRow, 'id' | 'updatedAt' | 'title' | 'targetName' | 'letterSubject' | 'letterBody'>;

/** Characters kept in all, across campaigns: a letter is at most ~1 MB of text, most a few KB. */
const CACHE_CHARS = 20_000_000;

const cache = new LRUCache<string, PublicLetter>({
  maxSize: CACHE_CHARS,
  sizeCalculation: (letter) => (letter.ok ? letter.subject.length + letter.html.length : letter.problem.length) + 1,
});

/**
 * Every input of the render is in the key: the letter and target are locked once published, but
 * the title is not, and updatedAt moves with any change (a draft's letter, previewed by its organiser).
 */
function keyOf(campaign: LetterSource): string {
  return JSON.stringify([campaign.id, campaign.updatedAt.toISOString(), campaign.title, campaign.targetName]);
}

export function renderPublicLetter(campaign: LetterSource): PublicLetter {
  const key = keyOf(campaign);
  const cached = cache.get(key);
  if (cached) return cached;
  let letter: PublicLetter;
  try {
    const rendered = renderLetter(
      { subject: campaign.letterSubject, body: campaign.letterBody },
      { ...PLACEHOLDER_DATA, campaign: { title: campaign.title, target: { name: campaign.targetName } } },
    );
    letter = { ok: true, subject: rendered.subject, html: rendered.html };
  } catch (error) {
    if (!(error instanceof LetterRenderError)) throw error;
    letter = { ok: false, problem: `The public page cannot show the letter: ${error.reason}.` };
  }
  cache.set(key, letter);
  return letter;
}

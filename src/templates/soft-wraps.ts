/**
 * Letters pasted from a word processor or a PDF carry their old line wrapping: a bullet point broken
 * over three lines, the continuation lines indented by a space or two. Letters are rendered with
 * `breaks: true` (a line break in the source is a line break on the page, which is what an organiser
 * typing "Yours sincerely,⏎Jane" means), so each of those wraps would break a sentence mid-line.
 *
 * The rule: a line that starts with whitespace and directly follows a line of text continues it (it
 * is joined with one space), unless it opens a list item, a quote or a fence of its own. Lines typed
 * flush left keep their break. Fenced code is left alone.
 */
const BLOCK_START = /^\s*(?:[-+*]\s|\d{1,9}[.)]\s|>|#{1,6}\s|```|~~~|\|)/;
const FENCE = /^\s{0,3}(?:```|~~~)/;

export function joinSoftWraps(markdown: string): string {
  const lines = markdown.split(/\r?\n/);
  const out: string[] = [];
  let inFence = false;
  let previousIsText = false;
  for (const line of lines) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      out.push(line);
      previousIsText = false;
      continue;
    }
    const blank = line.trim() === '';
    const continuation = !inFence && previousIsText && !blank && /^[ \t]/.test(line) && !BLOCK_START.test(line);
    if (continuation) out[out.length - 1] = `${out.at(-1)!.trimEnd()} ${line.trim()}`;
    else out.push(line);
    previousIsText = !inFence && !blank;
  }
  return out.join('\n');
}

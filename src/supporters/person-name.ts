/**
 * What a sign-up name may hold. A name reaches a stranger's inbox in the confirmation mail ("Dear …"),
 * sent to whatever address was typed, so a "name" that is really a link, an address or a MIME
 * encoded word would let anyone send phishing text through our trusted sender. Refused: anything a
 * mail client would make clickable (a URL with a scheme, www., a bare domain such as evil.com, an
 * email address) and RFC 2047 encoded words (=?utf-8?B?…?=), which some clients decode. Real names
 * — O'Brien, Jean-Luc, St. John, Dr. A. Smith, names in any script — have none of these.
 */
import { createRequire } from 'node:module';
import { LinkifyIt } from 'linkify-it';

// Mail clients autolink bare domains under any TLD they know, not only .com: so must we refuse them.
const everyTld = createRequire(import.meta.url)('tlds') as string[];
const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true }).tlds(everyTld, true);

const ENCODED_WORD = /=\?[^?]*\?[^?]*\?[^?]*\?=/;
/** Any scheme, not only those linkify knows (ftp:, data:, javascript: with //…). */
const SCHEME = /\b[a-z][a-z0-9+.-]*:\/\//i;
const WWW = /\bwww\./i;
/** Full stops that IDNA reads as dots in a domain: ideographic, fullwidth, halfwidth. */
const OTHER_DOTS = /[\u3002\uff0e\uff61]/g;

const NAME_WITH_LINK = 'Enter your name only: no web or email addresses';
const NAME_WITH_ENCODING = 'Enter your name as you write it, without encoded characters (=?…?=)';

/** Why a name cannot be a sign-up name, or undefined when it can. */
export function findNameProblem(name: string): string | undefined {
  if (ENCODED_WORD.test(name)) return NAME_WITH_ENCODING;
  // Fullwidth letters and dots as a browser would read them in a host name (ｅｖｉｌ．ｃｏｍ).
  const asHost = name.normalize('NFKC').replace(OTHER_DOTS, '.');
  if (SCHEME.test(asHost) || WWW.test(asHost) || linkify.test(asHost)) return NAME_WITH_LINK;
  return undefined;
}

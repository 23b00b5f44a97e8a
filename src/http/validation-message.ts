/**
 * A validation problem as a sentence that reads on its own, beside the `field` it is about (the
 * error body carries both). Sentences written for people ("Enter your email address") stay as they
 * are; a predicate ("must be lower-case letters…") and zod's own terse messages ("Too small: …")
 * are said of the field by name.
 */

const ZOD_PREFIXES: Array<[RegExp, string]> = [
  [/^Invalid option: expected one of /, 'must be one of '],
  [/^Invalid input: /, 'is not valid: '],
  [/^Invalid string: /, 'is not valid: '],
  [/^Too small: /, 'is too short or too small: '],
  [/^Too big: /, 'is too long or too large: '],
  [/^Invalid email address$/, 'must be an email address'],
  [/^Invalid UUID$/, 'must be a UUID'],
  [/^Invalid ISO datetime$/, 'must be a date and time like 2014-06-17T10:00:00Z'],
  [/^Invalid ISO date$/, 'must be a date like 2014-06-17'],
  // Any other of zod's "Invalid <something>: …" or "Invalid <something>".
  [/^Invalid [a-z ]+(: |$)/i, 'is not valid$1'],
];

export function validationSentence(field: string, message: string, kind?: 'unknown_field' | 'missing'): string {
  const subject = `The field “${field}”`;
  if (kind === 'unknown_field') return `${subject} is not one this request takes`;
  if (kind === 'missing') return `${subject} is required`;
  for (const [pattern, predicate] of ZOD_PREFIXES) {
    if (pattern.test(message)) return `${subject} ${message.replace(pattern, predicate)}`;
  }
  // Our own predicates start in lower case: said of the field. A sentence of its own stays as it is.
  return /^[a-z]/.test(message) ? `${subject} ${message}` : message;
}

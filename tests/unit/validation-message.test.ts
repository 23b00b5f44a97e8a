import { describe, expect, it } from 'vitest';
import { validationSentence } from '../../src/http/validation-message.js';

describe('validation messages', () => {
  it.each([
    ['email', 'Enter an email address like name@example.org', undefined, 'Enter an email address like name@example.org'],
    ['slug', 'must be lower-case letters, digits and single hyphens', undefined, 'The field “slug” must be lower-case letters, digits and single hyphens'],
    ['title', 'Invalid input: expected string, received number', undefined, 'The field “title” is not valid: expected string, received number'],
    ['replyPolicy.mode', 'Invalid option: expected one of "auto"|"approve"', undefined, 'The field “replyPolicy.mode” must be one of "auto"|"approve"'],
    ['colour', 'Unrecognized key: "colour"', 'unknown_field', 'The field “colour” is not one this request takes'],
    ['title', 'Invalid input: expected string, received undefined', 'missing', 'The field “title” is required'],
  ] as const)('says %s: %s as a sentence of its own', (field, message, kind, expected) => {
    const sentence = validationSentence(field, message, kind);
    expect(sentence).toBe(expected);
    // Never the field glued onto the front of a sentence ("email Enter an email address…").
    expect(sentence.startsWith(`${field} `)).toBe(false);
  });
});

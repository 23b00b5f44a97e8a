import { z } from 'zod';
import { isWellFormedText, NOT_ONE_LINE } from '../campaigns/campaign-schemas.js';
import { findNameProblem } from './person-name.js';

const email = z
  .string({ error: 'Enter your email address' })
  .trim()
  .min(1, { message: 'Enter your email address' })
  .max(254, { message: 'This email address is too long' })
  .pipe(z.email({ message: 'Enter an email address like name@example.org' }));

/** The sign-up, whether it comes as JSON or from the public page's form. */
export const signatureBody = z.strictObject({
  name: z
    .string({ error: 'Enter your name' })
    .trim()
    .min(1, { message: 'Enter your name' })
    .max(200, { message: 'Enter a name of at most 200 characters' })
    // Names reach mail headers: one line, no control characters.
    .refine((value) => !NOT_ONE_LINE.test(value), { message: 'Enter your name on one line' })
    .refine(isWellFormedText, { message: 'Enter your name using letters and symbols only' })
    // It opens the confirmation mail sent to any address typed: it must not carry a link there.
    .superRefine((value, context) => {
      const problem = findNameProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .describe('Full name, as it will appear on the letter'),
  email: email,
  postcode: z
    .string()
    .trim()
    .max(16, { message: 'Enter a postcode of at most 16 characters' })
    .regex(/^[A-Za-z0-9 -]*$/, { message: 'Enter a postcode using letters, digits and spaces' })
    .optional()
    .transform((value) => (value ? value.toUpperCase() : undefined)),
  consent: z.literal(true, { error: 'Tick the box to agree, or we cannot add your name' }),
  /** Honeypot: invisible to people, filled in by naive bots. Anything here and nothing is stored. */
  website: z.string().max(500).optional(),
});

export type SignatureInput = z.output<typeof signatureBody>;

export const slugParams = z.strictObject({ slug: z.string().min(1).max(80) });

export const tokenParams = z.strictObject({ token: z.string().min(1).max(200) });

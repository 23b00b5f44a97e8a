/** What the organiser may set when approving a reply, validated at the boundary. */
import { z } from 'zod';
import { multiLine, singleLine } from '../campaigns/campaign-schemas.js';
import { TemplateError } from '../errors.js';
import { assertValidTemplates } from '../templates/assert-valid-templates.js';
import type { ApprovalEdits } from './reply-service.js';
import { mergeFieldsDescription } from '../templates/merge-fields.js';

export const approvalBody = z
  .strictObject({
    author: singleLine(200)
      .describe('Who wrote, as supporters are told, e.g. "The Foreign Office’s Conflict Department"')
      .optional(),
    introduction: multiLine(10_000)
      .refine((value) => value.trim().length > 0, { message: 'must not be empty' })
      .describe(`The introduction above the reply: Markdown with the letter’s merge fields. ${mergeFieldsDescription()}`)
      .optional(),
  })
  // A POST without a body (the approval as it always was) reaches validation as null.
  .nullish();

/** The introduction is a template: checked like any letter before it is stored (422 naming the field). */
export function checkIntroduction(body: z.output<typeof approvalBody>): ApprovalEdits {
  if (body?.introduction !== undefined) {
    try {
      assertValidTemplates({ body: body.introduction });
    } catch (error) {
      if (error instanceof TemplateError) throw new TemplateError(error.message.replace(/^body: /, 'introduction: '), 'introduction');
      throw error;
    }
  }
  return { author: body?.author, introduction: body?.introduction };
}

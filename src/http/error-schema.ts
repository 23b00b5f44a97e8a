import { z } from 'zod';

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('Stable, machine-readable error code'),
      message: z.string(),
      field: z.string().optional().describe('Dotted path of the offending input field'),
    }),
  })
  .meta({ id: 'Error' });

/** The error responses every organiser route can give, for the OpenAPI document. */
export function errorResponses<const C extends readonly number[]>(...codes: C) {
  return Object.fromEntries(codes.map((code) => [code, errorResponse])) as Record<C[number], typeof errorResponse>;
}

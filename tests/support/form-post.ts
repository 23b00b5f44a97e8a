/** A form posted as a browser without JavaScript posts it: url-encoded, to a public page. */
import type { FastifyInstance } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';

/** `fields` as given (a raw string keeps empty and odd fields exactly), or encoded from an object. */
export function postForm(app: FastifyInstance, url: string, fields: string | Record<string, string>): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
  });
}

/**
 * The web app's two cookies, both HttpOnly, SameSite=Lax, limited to /app, and Secure when the
 * service is public over https: the session, and before sign-in a random "browser" value the sign-in
 * forms' CSRF tokens are bound to (so another site cannot make a browser request or use a link).
 */
import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'cl_session';
export const BROWSER_COOKIE = 'cl_browser';

export interface CookiePolicy {
  secure: boolean;
  /** How long the browser keeps the session cookie: the session's absolute lifetime. */
  sessionMaxAgeSeconds: number;
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  return header ? parse(header)[name] : undefined;
}

function setCookie(reply: FastifyReply, name: string, value: string, policy: CookiePolicy, maxAgeSeconds: number): void {
  reply.header(
    'set-cookie',
    [
      ...[reply.getHeader('set-cookie') ?? []].flat().map(String),
      serialize(name, value, { httpOnly: true, sameSite: 'lax', secure: policy.secure, path: '/app', maxAge: maxAgeSeconds }),
    ],
  );
}

export function setSessionCookie(reply: FastifyReply, token: string, policy: CookiePolicy): void {
  setCookie(reply, SESSION_COOKIE, token, policy, policy.sessionMaxAgeSeconds);
}

export function clearSessionCookie(reply: FastifyReply, policy: CookiePolicy): void {
  setCookie(reply, SESSION_COOKIE, '', policy, 0);
}

export function setBrowserCookie(reply: FastifyReply, value: string, policy: CookiePolicy): void {
  setCookie(reply, BROWSER_COOKIE, value, policy, 24 * 60 * 60);
}

/**
 * Who is signed in to the organiser web app, as every /app route sees it (`request.appUser`), and
 * the one check for what only owners may do.
 */
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors.js';

export type UserRole = 'owner' | 'editor';

export interface AppUser {
  userId: string;
  organiserId: string;
  role: UserRole;
  email: string;
  name: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the session guard on every /app route that needs a session (all but the sign-in pages). */
    appUser: AppUser;
    /** The signed-in session's id; undefined on the sign-in pages when nobody is signed in. */
    appSessionId: string | undefined;
    /** The CSRF token for forms on this page (bound to the session, or to the signed-out browser). */
    csrfToken: string;
  }
  interface FastifyContextConfig {
    /** The few /app routes that work signed out: the sign-in pages. */
    signedOut?: boolean;
  }
}

/** Throws 403 (a page saying why) unless the signed-in user is an owner of their organiser. */
export function requireOwner(request: FastifyRequest): AppUser {
  const user = request.appUser;
  if (user.role !== 'owner') throw new ForbiddenError('Only an owner of your organisation can do this. Ask one of your owners.');
  return user;
}

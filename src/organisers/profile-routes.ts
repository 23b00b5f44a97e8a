/**
 * The signed-in organiser's profile: name, website, postal address and logo, printed on the letter
 * to the target and in the footer of supporters' mail. The logo is uploaded as multipart/form-data
 * (one file, field `logo`) and served publicly by logo-routes.ts.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { ValidationError } from '../errors.js';
import { errorResponses } from '../http/error-schema.js';
import { logoUrl } from './logo-url.js';
import { getProfile, logoTooLarge, profileBody, removeLogo, replaceLogo, updateProfile, type OrganiserProfile } from './organiser-profile.js';

const profileView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    website: z.string().nullable(),
    postalAddress: z.string().nullable(),
    logo: z
      .object({
        url: z.string().describe('Public address of the image (changes with each new logo)'),
        contentType: z.enum(['image/png', 'image/jpeg']),
        bytes: z.number().int(),
        updatedAt: z.iso.datetime(),
      })
      .nullable(),
  })
  .meta({ id: 'OrganiserProfile' });

const tags = ['organiser'];
const security = [{ apiKey: [] }];

export const profileRoutes: FastifyPluginAsyncZod<{ db: Database; publicBaseUrl: string; logoMaxBytes: number }> = async (
  app,
  { db, publicBaseUrl, logoMaxBytes },
) => {
  const view = (profile: OrganiserProfile): z.input<typeof profileView> => ({
    id: profile.id,
    name: profile.name,
    website: profile.website,
    postalAddress: profile.postalAddress,
    logo: profile.logo
      ? {
          url: logoUrl(publicBaseUrl, profile.id, profile.logo.sha256),
          contentType: profile.logo.contentType as 'image/png' | 'image/jpeg',
          bytes: profile.logo.bytes,
          updatedAt: profile.logo.updatedAt.toISOString(),
        }
      : null,
  });

  app.get('/organiser/profile', {
    schema: { tags, security, summary: 'Your organisation’s profile: name, website, postal address, logo', response: { 200: profileView, ...errorResponses(401) } },
    handler: async (request) => view(await getProfile(db, request.organiserId)),
  });

  app.put('/organiser/profile', {
    schema: {
      tags,
      security,
      summary: 'Replace the profile (name, website, postal address)',
      description: 'A field left out or null is cleared (except name, which is required). The letter to the target prints them on its letterhead; supporters’ mail shows them in the footer.',
      body: profileBody,
      response: { 200: profileView, ...errorResponses(400, 401) },
    },
    handler: async (request) => view(await updateProfile(db, request.organiserId, request.body)),
  });

  // One file, at most the limit plus a byte: a larger file is cut there and refused by checkLogo.
  await app.register(multipart, { limits: { fileSize: logoMaxBytes + 1, files: 1, fields: 0, parts: 2 } });

  app.put('/organiser/logo', {
    schema: {
      tags,
      security,
      summary: 'Upload the logo (multipart/form-data, one file in the field `logo`)',
      description: `A PNG or JPEG image, at most ORGANISER_LOGO_MAX_BYTES (${Math.floor(logoMaxBytes / 1024)} KB here). The type is read from the file's content, whatever its name or declared type; SVG and anything else is refused (400, field \`logo\`) and nothing is stored.`,
      consumes: ['multipart/form-data'],
      response: { 200: profileView, ...errorResponses(400, 401) },
    },
    handler: async (request) => {
      if (!request.isMultipart()) throw new ValidationError('Send the logo as multipart/form-data, in a file field named "logo"', 'logo');
      let content: Buffer | undefined;
      try {
        const file = await request.file({ throwFileSizeLimit: false });
        if (!file || file.fieldname !== 'logo') throw new ValidationError('Send the logo in a file field named "logo"', 'logo');
        content = await file.toBuffer();
        if (file.file.truncated) throw logoTooLarge(logoMaxBytes);
      } catch (error) {
        if (error instanceof ValidationError) throw error;
        throw new ValidationError('The multipart body could not be read: send one file in the field "logo"', 'logo');
      }
      return view(await replaceLogo(db, request.organiserId, content, logoMaxBytes));
    },
  });

  app.delete('/organiser/logo', {
    schema: { tags, security, summary: 'Remove the logo', response: { 200: profileView, ...errorResponses(401) } },
    handler: async (request) => view(await removeLogo(db, request.organiserId)),
  });
};

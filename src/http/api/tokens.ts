import { createRoute, z } from '@hono/zod-openapi';
import { apiTokenInputSchema, apiTokenListQuerySchema, apiTokenSchema } from '../../domain/identity/identity-schemas.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../../domain/identity/tokens.ts';
import { apiRouter, errorResponses, notFoundResponse } from './openapi-app.ts';

const ApiToken = apiTokenSchema.meta({ id: 'ApiToken' });
const CreatedToken = z
  .object({
    token: ApiToken,
    secret: z.string().openapi({ description: 'The token to send as `Authorization: Bearer …`. Shown only now: store it safely.' }),
  })
  .openapi('CreatedApiToken');
const idParam = z.object({ id: z.string().min(1).max(100).openapi({ description: 'Token id', example: 'tok_01j…' }) });

/** API tokens for systems: /tokens. People manage their own; administrators everyone's. Tokens cannot manage tokens. */
export const tokenRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/tokens',
      tags: ['API tokens'],
      summary: 'List API tokens',
      description: 'Your own tokens; administrators see everyone’s. Needs a signed-in session.',
      request: { query: apiTokenListQuerySchema },
      responses: { 200: { description: 'Tokens', content: { 'application/json': { schema: z.object({ items: z.array(ApiToken) }).openapi('ApiTokenList') } } }, ...errorResponses },
    }),
    async (c) => c.json({ items: await listApiTokens(c.get('ctx'), c.req.valid('query')) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      tags: ['API tokens'],
      summary: 'Create an API token',
      description:
        'Scopes never exceed your own rights: `admin` only for administrators, `write` only if you can write somewhere. The secret is returned once.',
      request: { body: { required: true, content: { 'application/json': { schema: apiTokenInputSchema.meta({ id: 'ApiTokenInput' }) } } } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: CreatedToken } } }, ...errorResponses },
    }),
    async (c) => {
      const created = await createApiToken(c.get('ctx'), c.req.valid('json'));
      c.header('cache-control', 'no-store');
      return c.json(created, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/tokens/{id}',
      tags: ['API tokens'],
      summary: 'Revoke an API token',
      description: 'Takes effect at once. Revoking twice changes nothing.',
      request: { params: idParam },
      responses: { 200: { description: 'Revoked', content: { 'application/json': { schema: ApiToken } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json(await revokeApiToken(c.get('ctx'), c.req.valid('param').id), 200),
  );

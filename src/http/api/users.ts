import { createRoute, z } from '@hono/zod-openapi';
import {
  setMembershipsSchema,
  userInputSchema,
  userListQuerySchema,
  userPatchSchema,
  userSchema,
} from '../../domain/identity/identity-schemas.ts';
import { createUser, getCurrentUser, getUser, listUsers, setMemberships, updateUser } from '../../domain/identity/users.ts';
import { apiRouter, conflictResponse, errorResponses, notFoundResponse } from './openapi-app.ts';

const User = userSchema.meta({ id: 'User' });
const UserList = z.object({ items: z.array(User), nextCursor: z.string().nullable() }).openapi('UserList');
const Me = z
  .object({
    kind: z.enum(['user', 'token']).openapi({ description: 'A signed-in person, or a system using an API token' }),
    user: User,
    token: z.object({ id: z.string(), scopes: z.array(z.string()), organizationId: z.string().nullable() }).nullable(),
    abilities: z.record(z.string(), z.boolean()).openapi({ description: 'What the caller may do, by ability name (for showing or hiding actions)' }),
  })
  .openapi('Me');
const idParam = z.object({ id: z.string().min(1).max(100).openapi({ description: 'User id', example: 'usr_01j…' }) });

/** The caller and the accounts: /me, /users. */
export const userRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags: ['Accounts'],
      summary: 'Who am I',
      description: 'The signed-in person or the token’s owner, with memberships and abilities.',
      responses: { 200: { description: 'The caller', content: { 'application/json': { schema: Me } } }, ...errorResponses },
    }),
    async (c) => c.json(await getCurrentUser(c.get('ctx')), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/users',
      tags: ['Accounts'],
      summary: 'List accounts',
      description: 'Coordinators and administrators; a member may list the people of their own organization with `organizationId`.',
      request: { query: userListQuerySchema },
      responses: { 200: { description: 'A page of accounts', content: { 'application/json': { schema: UserList } } }, ...errorResponses },
    }),
    async (c) => c.json(await listUsers(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/users',
      tags: ['Accounts'],
      summary: 'Create an account',
      description: 'Administrators only. Without a password the person signs in after resetting it.',
      request: { body: { required: true, content: { 'application/json': { schema: userInputSchema.meta({ id: 'UserInput' }) } } } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: User } } }, ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const user = await createUser(c.get('ctx'), c.req.valid('json'));
      return c.json(user, 201, { location: `/api/v1/users/${user.id}` });
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/users/{id}',
      tags: ['Accounts'],
      summary: 'Get one account',
      description: 'Coordinators and administrators, or the person themself.',
      request: { params: idParam },
      responses: { 200: { description: 'The account', content: { 'application/json': { schema: User } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const user = await getUser(c.get('ctx'), c.req.valid('param').id);
      return c.json(user, 200, { etag: `"${user.version}"` });
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/users/{id}',
      tags: ['Accounts'],
      summary: 'Change an account',
      description: 'The person changes their name and language; administrators also the platform role and active flag. Send the `version` you edited.',
      request: {
        params: idParam,
        body: { required: true, content: { 'application/json': { schema: userPatchSchema.meta({ id: 'UserPatch' }) } } },
      },
      responses: {
        200: { description: 'Changed', content: { 'application/json': { schema: User } } },
        ...errorResponses,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => c.json(await updateUser(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/users/{id}/memberships',
      tags: ['Accounts'],
      summary: 'Replace an account’s memberships',
      description: 'Administrators only. The list replaces every membership of the person.',
      request: {
        params: idParam,
        body: { required: true, content: { 'application/json': { schema: setMembershipsSchema.meta({ id: 'MembershipsInput' }) } } },
      },
      responses: { 200: { description: 'Changed', content: { 'application/json': { schema: User } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json(await setMemberships(c.get('ctx'), c.req.valid('param').id, c.req.valid('json').memberships), 200),
  );

import { createRoute, z } from '@hono/zod-openapi';
import { subscribeSchema } from '../../domain/alerts/alert-schemas.ts';
import { CONFIRM_HOURS, confirmSubscription, SUBSCRIBE_LIMITS, subscribeToSearch, unsubscribe } from '../../domain/alerts/subscriptions.ts';
import { LANGUAGES } from '../../domain/languages.ts';
import { apiRouter, errorResponses, notFoundResponse } from './openapi-app.ts';

const SubscriptionRequest = subscribeSchema
  .extend({ language: z.enum(LANGUAGES).optional().describe('The language of the e-mails; by default the request’s (Accept-Language)') })
  .meta({ id: 'SearchSubscriptionRequest' });
const TokenInput = z
  .strictObject({ token: z.string().min(1).max(200).describe('The token of the link sent by e-mail (the last part of its address)') })
  .meta({ id: 'SearchSubscriptionToken' });
const Accepted = z
  .object({ status: z.literal('pending'), expiresInHours: z.number().int(), message: z.string() })
  .openapi('SearchSubscriptionAccepted');
const Confirmed = z
  .object({ status: z.literal('confirmed'), name: z.string(), query: z.string(), url: z.string().describe('The library address of the search') })
  .openapi('SearchSubscriptionConfirmed');
const Unsubscribed = z.object({ status: z.literal('unsubscribed'), name: z.string() }).openapi('SearchSubscriptionUnsubscribed');
const noStore = { 'cache-control': 'no-store' };
const invalidToken = { 404: { ...notFoundResponse[404], description: 'The token is not valid: unknown, expired or already used (one answer for all three).' } };

/**
 * Readers' e-mail subscriptions to a library search: the same double opt-in as the library's form
 * (src/domain/alerts/subscriptions.ts). No account is needed; the tokens sent by e-mail are the
 * whole authority, so these three addresses need no form token (src/http/middleware/csrf.ts).
 */
export const searchSubscriptionRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/search-subscriptions',
      tags: ['Search subscriptions'],
      summary: 'Ask for e-mail alerts of a search',
      description:
        `Double opt-in: a confirmation link, valid ${CONFIRM_HOURS} hours and usable once, is sent to the address; nothing else is sent until it is used. ` +
        'The answer is the same whether or not the address already follows the search. ' +
        `At most ${SUBSCRIBE_LIMITS.perEmail} requests an hour per address and ${SUBSCRIBE_LIMITS.perIp} per client address (429 with Retry-After).`,
      request: { body: { required: true, content: { 'application/json': { schema: SubscriptionRequest } } } },
      responses: { 202: { description: 'Accepted: a confirmation link is on its way if the address can receive it', content: { 'application/json': { schema: Accepted } } }, ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      await subscribeToSearch(c.get('ctx'), { ...body, language: body.language ?? c.get('lang') });
      return c.json(
        { status: 'pending' as const, expiresInHours: CONFIRM_HOURS, message: `If the address can receive mail, a confirmation link valid ${CONFIRM_HOURS} hours has been sent to it.` },
        202,
        noStore,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/search-subscriptions/confirm',
      tags: ['Search subscriptions'],
      summary: 'Confirm a subscription with the token of its link',
      description: 'Once, before the link expires; new matches are counted from now. A token already used, expired or unknown gets the same 404.',
      request: { body: { required: true, content: { 'application/json': { schema: TokenInput } } } },
      responses: { 200: { description: 'Confirmed', content: { 'application/json': { schema: Confirmed } } }, ...errorResponses, ...invalidToken },
    }),
    async (c) => {
      const s = await confirmSubscription(c.get('ctx'), c.req.valid('json').token);
      return c.json({ status: 'confirmed' as const, name: s.name, query: s.query, url: `/library${s.query ? `?${s.query}` : ''}` }, 200, noStore);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/search-subscriptions/unsubscribe',
      tags: ['Search subscriptions'],
      summary: 'Stop the e-mail alerts of an unsubscribe token',
      description:
        'The token of the unsubscribe link each alert e-mail carries. A reader’s subscription is deleted with its address; a person’s saved search stays, with its alert switched off. An unknown token gets 404.',
      request: { body: { required: true, content: { 'application/json': { schema: TokenInput } } } },
      responses: { 200: { description: 'Unsubscribed', content: { 'application/json': { schema: Unsubscribed } } }, ...errorResponses, ...invalidToken },
    }),
    async (c) => {
      const s = await unsubscribe(c.get('ctx'), c.req.valid('json').token);
      return c.json({ status: 'unsubscribed' as const, name: s.name }, 200, noStore);
    },
  );

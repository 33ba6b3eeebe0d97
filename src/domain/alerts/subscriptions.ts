import { createHash } from 'node:crypto';
import { withTransaction } from '../../db/database.ts';
import { enqueueMail } from '../../db/queries/mail.ts';
import {
  confirmSubscriptionRow,
  deleteExpiredSubscriptions,
  findByUnsubscribeToken,
  findPendingConfirmation,
  findSubscription,
  insertSavedSearch,
  renewSubscriptionToken,
  unsubscribeRow,
} from '../../db/queries/saved-searches.ts';
import { recordThrottleFailure } from '../../db/queries/sessions.ts';
import { newId, newSecret } from '../../lib/ids.ts';
import { anonymous } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { hashSessionSecret } from '../identity/sessions.ts';
import { authorize } from '../policies.ts';
import { searchParamsFromUrl, searchParamsSchema } from '../search/search-schemas.ts';
import { confirmationMail } from './alert-mail.ts';
import { canonicalSearchQuery, subscribeSchema, type SubscribeInput } from './alert-schemas.ts';

/** A confirmation link works this long; an unconfirmed subscription is then forgotten. */
export const CONFIRM_HOURS = 48;
/** Subscription requests allowed per e-mail address and per client address within an hour. */
export const SUBSCRIBE_LIMITS = { perEmail: 3, perIp: 20, windowMinutes: 60 } as const;

// Subscriptions are anonymous acts about an address: the audit keeps neither the address nor the client's.
const quiet = (ctx: DomainContext) => ({ actor: anonymous, requestId: ctx.requestId });
const invalidLink = () => new AppError('NOT_FOUND', 'This link is not valid: it has expired or was already used.');
const validToken = (token: string) => token.length >= 20 && token.length <= 200;

/** A default name for a search: its words, or its filters. */
export function searchName(query: string): string {
  const p = searchParamsSchema.parse(searchParamsFromUrl(new URLSearchParams(query)));
  return (p.q.trim() || [...p.kind, ...p.theme, ...p.type].join(', ') || 'ICAT Platform').slice(0, 200);
}

/** Counts a request against the address and the client; throws RATE_LIMITED past either limit. */
async function throttle(ctx: DomainContext, email: string): Promise<void> {
  const keys = [
    { key: `alert-email:${createHash('sha256').update(email).digest('hex')}`, limit: SUBSCRIBE_LIMITS.perEmail },
    ...(ctx.ip ? [{ key: `alert-ip:${ctx.ip}`, limit: SUBSCRIBE_LIMITS.perIp }] : []),
  ];
  // Counted in a transaction of its own, so that a refused request still counts.
  const states = await withTransaction(ctx.db, async (tx) =>
    Promise.all(keys.map((k) => recordThrottleFailure(tx, k.key, k.limit + 1, SUBSCRIBE_LIMITS.windowMinutes, SUBSCRIBE_LIMITS.windowMinutes))),
  );
  const over = states.map((s, i) => (s && s.failures > keys[i]!.limit && s.locked_until ? Math.ceil((new Date(s.locked_until).getTime() - Date.now()) / 1000) : 0));
  const seconds = Math.max(0, ...over);
  if (seconds > 0) {
    throw new AppError('RATE_LIMITED', `Too many subscription requests. Try again in ${Math.ceil(seconds / 60)} minute(s).`, { retryAfterSeconds: seconds });
  }
}

/**
 * Asks for e-mail alerts of a search (double opt-in): a confirmation link, valid CONFIRM_HOURS and
 * usable once, goes to the address; nothing else is sent until it is used. Answers the same way
 * whether or not the address already follows the search, so the form tells nobody who subscribes.
 * Requests are limited per address and per client, so the form cannot flood a mailbox.
 */
export async function subscribeToSearch(ctx: DomainContext, raw: SubscribeInput): Promise<void> {
  authorize(ctx.actor, 'search.subscribe');
  const input = subscribeSchema.parse(raw);
  const query = canonicalSearchQuery(input.query);
  await throttle(ctx, input.email);
  const name = searchName(query);
  await withTransaction(ctx.db, async (tx) => {
    await deleteExpiredSubscriptions(tx);
    const existing = await findSubscription(tx, input.email, query);
    if (existing?.confirmed_at) return;
    const token = newSecret(32);
    const expires = new Date(Date.now() + CONFIRM_HOURS * 3600_000);
    const token_hash = hashSessionSecret(token);
    let id = existing?.id;
    if (existing) {
      await renewSubscriptionToken(tx, existing.id, { confirm_token_hash: token_hash, confirm_expires_at: expires, frequency: input.frequency, language: input.language, name });
    } else {
      id = (
        await insertSavedSearch(tx, {
          id: newId('srch'),
          user_id: null,
          email: input.email,
          language: input.language,
          name,
          query,
          frequency: input.frequency,
          unsubscribe_token: newSecret(32),
          confirm_token_hash: token_hash,
          confirm_expires_at: expires,
        })
      ).id;
    }
    await enqueueMail(tx, confirmationMail(ctx.config, { email: input.email, language: input.language }, { token, name, query, hours: CONFIRM_HOURS }));
    await recordAudit(tx, quiet(ctx), { action: 'search.subscription.requested', recordType: 'saved_search', recordId: id!, after: { query, frequency: input.frequency } });
  });
}

/** The subscription a confirmation link would confirm (for its landing page), or NOT_FOUND. */
export async function describeConfirmation(ctx: DomainContext, token: string): Promise<{ name: string; query: string; frequency: string }> {
  if (!validToken(token)) throw invalidLink();
  const row = await findPendingConfirmation(ctx.db.kysely, hashSessionSecret(token));
  if (!row) throw invalidLink();
  return { name: row.name, query: row.query, frequency: row.frequency };
}

/** Confirms a subscription with its link (once, before it expires); new matches are counted from now. */
export async function confirmSubscription(ctx: DomainContext, token: string): Promise<{ name: string; query: string; unsubscribeToken: string }> {
  if (!validToken(token)) throw invalidLink();
  return withTransaction(ctx.db, async (tx) => {
    const row = await confirmSubscriptionRow(tx, hashSessionSecret(token));
    if (!row) throw invalidLink();
    await recordAudit(tx, quiet(ctx), { action: 'search.subscription.confirmed', recordType: 'saved_search', recordId: row.id });
    return { name: row.name, query: row.query, unsubscribeToken: row.unsubscribe_token };
  });
}

/** What an unsubscribe link would stop (for its landing page), or NOT_FOUND when nothing. */
export async function describeUnsubscribe(ctx: DomainContext, token: string): Promise<{ name: string; query: string; active: boolean }> {
  if (!validToken(token)) throw invalidLink();
  const row = await findByUnsubscribeToken(ctx.db.kysely, token);
  if (!row) throw invalidLink();
  return { name: row.name, query: row.query, active: row.frequency !== 'none' };
}

/**
 * Stops the alerts of an unsubscribe link: a reader's subscription is deleted with its address;
 * a person's saved search stays, with its alert switched off. Repeating it is harmless.
 */
export async function unsubscribe(ctx: DomainContext, token: string): Promise<{ name: string }> {
  if (!validToken(token)) throw invalidLink();
  return withTransaction(ctx.db, async (tx) => {
    const row = await unsubscribeRow(tx, token);
    if (!row) throw invalidLink();
    await recordAudit(tx, quiet(ctx), { action: 'search.subscription.unsubscribed', recordType: 'saved_search', recordId: row.id });
    return { name: row.name };
  });
}

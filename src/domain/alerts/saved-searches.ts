import { withTransaction } from '../../db/database.ts';
import {
  databaseNow,
  deleteSavedSearchRow,
  findUserSavedSearch,
  findUserSavedSearchByQuery,
  insertSavedSearch,
  listUserSavedSearches,
  markSavedSearchVisited,
  updateSavedSearchRow,
  type SavedSearchRow,
} from '../../db/queries/saved-searches.ts';
import { newId, newSecret } from '../../lib/ids.ts';
import type { AuthenticatedActor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { isLanguage } from '../../i18n/i18n.ts';
import type { Language } from '../languages.ts';
import { authorize } from '../policies.ts';
import { searchPublishedIn } from '../search/search.ts';
import { searchParamsFromUrl } from '../search/search-schemas.ts';
import {
  canonicalSearchQuery,
  savedSearchCreateSchema,
  savedSearchUpdateSchema,
  type SavedSearch,
  type SavedSearchCreateInput,
  type SavedSearchUpdateInput,
} from './alert-schemas.ts';

/** A person may keep this many saved searches. */
export const MAX_SAVED_SEARCHES = 100;

const me = (ctx: DomainContext) => ctx.actor as AuthenticatedActor;
const libraryUrl = (query: string) => `/library${query ? `?${query}` : ''}`;

function present(row: SavedSearchRow, count: { total: number; capped: boolean }): SavedSearch {
  return {
    id: row.id,
    name: row.name,
    query: row.query,
    url: libraryUrl(row.query),
    frequency: row.frequency,
    newMatches: count.total,
    newMatchesCapped: count.capped,
    lastVisitedAt: new Date(row.last_visited_at).toISOString(),
    alertSentAt: row.alert_sent_at ? new Date(row.alert_sent_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** How many records matching the search were first published since the last visit, as the actor may see them. */
async function countNew(ctx: DomainContext, row: SavedSearchRow, until: Date): Promise<{ total: number; capped: boolean }> {
  const lang = (isLanguage(me(ctx).language) ? me(ctx).language : 'en') as Language;
  const since = new Date(row.last_visited_at);
  if (since >= until) return { total: 0, capped: false };
  const r = await searchPublishedIn(ctx, searchParamsFromUrl(new URLSearchParams(row.query)), { window: { since, until }, lang, limit: 0 });
  return { total: r.total, capped: r.capped };
}

async function ownRow(ctx: DomainContext, id: string): Promise<SavedSearchRow> {
  const row = await findUserSavedSearch(ctx.db.kysely, me(ctx).userId, id);
  if (!row) throw notFound('This saved search');
  return row;
}

/** The actor's saved searches, newest first, each with its number of new matches since the last visit. */
export async function listSavedSearches(ctx: DomainContext): Promise<SavedSearch[]> {
  authorize(ctx.actor, 'search.saved.read');
  const rows = await listUserSavedSearches(ctx.db.kysely, me(ctx).userId);
  const until = await databaseNow(ctx.db.kysely);
  const out: SavedSearch[] = [];
  for (const row of rows) out.push(present(row, await countNew(ctx, row, until)));
  return out;
}

/** One of the actor's saved searches, with its number of new matches. */
export async function getSavedSearch(ctx: DomainContext, id: string): Promise<SavedSearch> {
  authorize(ctx.actor, 'search.saved.read');
  const row = await ownRow(ctx, id);
  return present(row, await countNew(ctx, row, await databaseNow(ctx.db.kysely)));
}

/** Saves the search (its URL query, normalized) under a name; the same search twice is a CONFLICT. */
export async function createSavedSearch(ctx: DomainContext, raw: SavedSearchCreateInput): Promise<SavedSearch> {
  authorize(ctx.actor, 'search.saved.manage');
  const input = savedSearchCreateSchema.parse(raw);
  const query = canonicalSearchQuery(input.query);
  const userId = me(ctx).userId;
  const row = await withTransaction(ctx.db, async (tx) => {
    const same = await findUserSavedSearchByQuery(tx, userId, query);
    if (same) {
      throw new AppError('CONFLICT', `You already saved this search as "${same.name}".`, {
        fields: [{ path: 'query', message: `You already saved this search as "${same.name}".`, code: 'duplicate' }],
      });
    }
    if ((await listUserSavedSearches(tx, userId)).length >= MAX_SAVED_SEARCHES) {
      throw new AppError('CONFLICT', `You can keep at most ${MAX_SAVED_SEARCHES} saved searches; delete one first.`);
    }
    const created = await insertSavedSearch(tx, {
      id: newId('srch'),
      user_id: userId,
      email: null,
      language: null,
      name: input.name,
      query,
      frequency: input.frequency,
      unsubscribe_token: newSecret(32),
    });
    await recordAudit(tx, ctx, { action: 'search.saved.create', recordType: 'saved_search', recordId: created.id, after: { name: created.name, query, frequency: created.frequency } });
    return created;
  });
  return present(row, { total: 0, capped: false });
}

/**
 * Renames a saved search or changes its alert. Switching an alert on starts its watermark now:
 * the first digest tells of what is new from then on, not of everything since the search was saved.
 */
export async function updateSavedSearch(ctx: DomainContext, id: string, raw: SavedSearchUpdateInput): Promise<SavedSearch> {
  authorize(ctx.actor, 'search.saved.manage');
  const input = savedSearchUpdateSchema.parse(raw);
  const row = await withTransaction(ctx.db, async (tx) => {
    const before = await findUserSavedSearch(tx, me(ctx).userId, id);
    if (!before) throw notFound('This saved search');
    const switchedOn = before.frequency === 'none' && input.frequency !== undefined && input.frequency !== 'none';
    const now = switchedOn ? await databaseNow(tx) : undefined;
    const after = await updateSavedSearchRow(tx, id, { name: input.name, frequency: input.frequency, ...(now ? { alert_watermark: now } : {}) });
    await recordAudit(tx, ctx, {
      action: 'search.saved.update',
      recordType: 'saved_search',
      recordId: id,
      before: { name: before.name, frequency: before.frequency },
      after: { name: after.name, frequency: after.frequency },
    });
    return after;
  });
  return present(row, await countNew(ctx, row, await databaseNow(ctx.db.kysely)));
}

export async function deleteSavedSearch(ctx: DomainContext, id: string): Promise<void> {
  authorize(ctx.actor, 'search.saved.manage');
  await withTransaction(ctx.db, async (tx) => {
    const before = await findUserSavedSearch(tx, me(ctx).userId, id);
    if (!before) throw notFound('This saved search');
    await deleteSavedSearchRow(tx, id);
    await recordAudit(tx, ctx, { action: 'search.saved.delete', recordType: 'saved_search', recordId: id, before: { name: before.name, query: before.query } });
  });
}

/** Opens a saved search: it counts as visited now (nothing is new any more); returns its library address. */
export async function openSavedSearch(ctx: DomainContext, id: string): Promise<{ url: string }> {
  authorize(ctx.actor, 'search.saved.read');
  const row = await ownRow(ctx, id);
  await markSavedSearchVisited(ctx.db.kysely, row.id);
  return { url: libraryUrl(row.query) };
}

import { z } from 'zod';
import { activityTitleRows, countPendingSuggestions, pendingSuggestionOwners, pendingSuggestionRows, type PendingScope } from '../../db/queries/activity-suggestions.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { activityEditScope, authorize, can } from '../policies.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { canSeeActivity } from './activity-access.ts';
import { CLASSIFICATION_KEYS } from './activity-mapping.ts';
import type { Classification, Narrative } from './activity-schemas.ts';
import { MAX_REVIEWS } from './confirm-suggestions.ts';

/**
 * The activities awaiting a review of the classification an importer suggested, for the bulk
 * review page: those the actor may edit (an administrator's: all; anyone else's: their
 * organizations'), newest change first, a page at a time. Reviewing them is reviewSuggestions.
 */

export const PENDING_PAGE_SIZE = 50;
/** The activity list's badge counts no further (it says "1,000+"). */
export const PENDING_BADGE_CAP = 1000;

const ORG_ID = /^org_[0-9a-z]{26}$/;
const ACT_ID = /^act_[0-9a-z]{26}$/;
const CURSOR_KEY = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

export const pendingSuggestionsQuerySchema = z.strictObject({
  after: z.string().max(200).optional().describe('The nextCursor of a previous page'),
  owner: z.string().regex(ORG_ID, 'An organization id (org_…).').optional().describe('Only this organization’s activities'),
  limit: z.number().int().min(1).max(MAX_REVIEWS).default(PENDING_PAGE_SIZE),
  /** Activities to name (a review's failures), when the actor may see them. */
  named: z.array(z.string().regex(ACT_ID)).max(MAX_REVIEWS).default([]),
});

export type PendingSuggestion = {
  id: string;
  iatiIdentifier: string | null;
  title: Narrative;
  defaultLanguage: string;
  owner: { id: string; acronym: string; slug: string };
  version: number;
  suggestions: Partial<Classification>;
  updatedAt: string;
};

export type NamedActivity = { id: string; iatiIdentifier: string | null; title: Narrative; defaultLanguage: string };

export type PendingSuggestionsPage = {
  items: PendingSuggestion[];
  nextCursor: string | null;
  /** All pending activities under the owner filter, not only this page's. */
  total: number;
  owner: string | null;
  /** The owners the actor may filter by, with their pending counts; empty when the actor edits for one organization only. */
  owners: { id: string; acronym: string; name: Narrative; pending: number }[];
  named: Record<string, NamedActivity>;
  /** To label the suggested codes. */
  reference: ReferenceData;
};

function decodeAfter(cursor: string): { k: string; id: string } {
  const [k, id] = decodeCursor(cursor, 2);
  if (typeof k !== 'string' || !CURSOR_KEY.test(k) || typeof id !== 'string' || !ACT_ID.test(id)) {
    throw new AppError('VALIDATION_FAILED', 'The cursor is not one this server issued.', { fields: [{ path: 'after', message: 'Use the link to the next page.' }] });
  }
  return { k, id };
}

/** Only the suggestion lists the platform knows, in its order of taxonomies. */
function knownSuggestions(s: Record<string, string[]>): Partial<Classification> {
  const out: Partial<Classification> = {};
  for (const k of CLASSIFICATION_KEYS) if (Array.isArray(s[k]) && s[k].length > 0) out[k] = s[k];
  return out;
}

/**
 * A page of the activities awaiting review. Visitors get UNAUTHENTICATED; people who edit no
 * organization's activities FORBIDDEN; an owner filter the actor may not edit FORBIDDEN too.
 */
export async function listPendingSuggestions(ctx: DomainContext, raw: z.input<typeof pendingSuggestionsQuerySchema> = {}): Promise<PendingSuggestionsPage> {
  authorize(ctx.actor, 'activity.suggestions.review');
  const input = pendingSuggestionsQuerySchema.parse(raw);
  if (input.owner) authorize(ctx.actor, 'activity.update', { ownerOrganizationId: input.owner });
  const editable = activityEditScope(ctx.actor);
  const scope: PendingScope = { owners: input.owner ? [input.owner] : editable };
  const db = ctx.db.kysely;
  const empty = scope.owners !== null && scope.owners.length === 0;
  const after = input.after ? decodeAfter(input.after) : undefined;
  const rows = empty ? [] : await pendingSuggestionRows(db, scope, { after, limit: input.limit + 1 });
  const more = rows.length > input.limit;
  const page = more ? rows.slice(0, input.limit) : rows;
  const last = page.at(-1);
  const total = empty ? 0 : await countPendingSuggestions(db, scope);
  const owners = editable === null || editable.length > 1 ? await pendingSuggestionOwners(db, { owners: editable }) : [];
  const named: Record<string, NamedActivity> = {};
  for (const r of await activityTitleRows(db, input.named)) {
    if (canSeeActivity(ctx.actor, r)) named[r.id] = { id: r.id, iatiIdentifier: r.iati_identifier, title: r.title, defaultLanguage: r.default_language };
  }
  return {
    items: page.map((r) => ({
      id: r.id,
      iatiIdentifier: r.iati_identifier,
      title: r.title,
      defaultLanguage: r.default_language,
      owner: { id: r.owner_organization_id, acronym: r.owner_acronym, slug: r.owner_slug },
      version: r.version,
      suggestions: knownSuggestions(r.suggestions),
      updatedAt: r.updated_at.toISOString(),
    })),
    nextCursor: more && last ? encodeCursor([last.k, last.id]) : null,
    total,
    owner: input.owner ?? null,
    owners,
    named,
    reference: await getReferenceData(ctx),
  };
}

/**
 * How many activities await the actor's review (at most PENDING_BADGE_CAP), for a badge on the
 * activity list; 0 without a query for those who review none.
 */
export async function countPendingSuggestionsFor(ctx: DomainContext): Promise<number> {
  if (!can(ctx.actor, 'activity.suggestions.review')) return 0;
  const owners = activityEditScope(ctx.actor);
  if (owners !== null && owners.length === 0) return 0;
  return countPendingSuggestions(ctx.db.kysely, { owners }, PENDING_BADGE_CAP);
}

import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import { claimPlatformState, readPlatformState, writePlatformState } from '../db/queries/platform-state.ts';
import { selectPublicationIdsByEnglishTitle } from '../db/queries/publications.ts';
import { systemActor } from '../domain/actor.ts';
import type { DomainContext } from '../domain/context.ts';
import { AppError } from '../domain/errors.ts';
import { getOrganization } from '../domain/organizations/organizations.ts';
import { createPublication, updatePublication } from '../domain/publications/save-publication.ts';
import { getPublication } from '../domain/publications/get-publication.ts';
import { DEMO_PUBLICATIONS } from './demo-publications.ts';
import { DEMO_SEED_KEY } from './first-start.ts';

/** platform_state key: `{ status: 'started' | 'done', … }`. */
export const DEMO_PUBLICATIONS_KEY = 'demo_publications';
type State = { status: 'started' | 'done'; startedAt?: string; completedAt?: string; created?: number };

/**
 * Adds ICAT's publications to the library of a demo installation, once, through the domain
 * functions: published, public, owned by UNODC (which coordinates ICAT) and credited to ICAT.
 * An interrupted run is completed without creating any twice (they are matched by title);
 * relations are set once every publication exists. Returns how many were created.
 */
export async function seedDemoPublications(deps: { db: Db; config: Config; logger: Logger }): Promise<number | null> {
  const ctx: DomainContext = { db: deps.db, config: deps.config, actor: systemActor };
  const demo = await readPlatformState<{ status?: string }>(deps.db.kysely, DEMO_SEED_KEY);
  if (demo?.status !== 'done') return null;
  const state = await readPlatformState<State>(deps.db.kysely, DEMO_PUBLICATIONS_KEY);
  if (state?.status === 'done') return null;
  if (!state) {
    const claimed = await claimPlatformState(deps.db.kysely, DEMO_PUBLICATIONS_KEY, { status: 'started', startedAt: new Date().toISOString() } satisfies State);
    if (!claimed) return null;
  }
  const orgIds = new Map<string, string>();
  for (const slug of new Set(['unodc', ...DEMO_PUBLICATIONS.flatMap((d) => d.with ?? [])])) {
    try {
      orgIds.set(slug, (await getOrganization(ctx, slug)).id);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
    }
  }
  const owner = orgIds.get('unodc');
  if (!owner) return null;
  const existing = await selectPublicationIdsByEnglishTitle(deps.db.kysely, DEMO_PUBLICATIONS.map((d) => d.title));
  const ids = new Map<string, string>();
  let created = 0;
  for (const d of DEMO_PUBLICATIONS) {
    const found = existing.get(d.title);
    if (found) {
      ids.set(d.key, found);
      continue;
    }
    const p = await createPublication(ctx, {
      ownerOrganizationId: owner,
      kind: d.kind,
      number: d.number ?? null,
      published: d.published ?? null,
      authors: ['ICAT'],
      organizationIds: (d.with ?? []).flatMap((s) => (orgIds.has(s) && orgIds.get(s) !== owner ? [orgIds.get(s)!] : [])),
      themes: d.themes ?? [],
      status: 'published',
      visibility: 'public',
      defaultLanguage: 'en',
      languages: [{ lang: 'en', title: d.title, summary: d.summary, keyQuestions: d.keyQuestions ?? [], body: '' }],
    });
    ids.set(d.key, p.id);
    created++;
  }
  // Relations, once all exist.
  for (const d of DEMO_PUBLICATIONS.filter((x) => (x.related ?? []).length > 0)) {
    const id = ids.get(d.key)!;
    const p = await getPublication(ctx, id);
    const related = (d.related ?? []).flatMap((k) => (ids.has(k) ? [ids.get(k)!] : []));
    if (related.every((r) => p.related.includes(r))) continue;
    const { id: _id, ownerOrganizationId, files: _f, version, createdAt: _c, updatedAt: _u, deletedAt: _d, ...rest } = p;
    await updatePublication(ctx, id, { ...rest, ownerOrganizationId, related: [...new Set([...p.related, ...related])], version });
  }
  await writePlatformState(deps.db.kysely, DEMO_PUBLICATIONS_KEY, { status: 'done', completedAt: new Date().toISOString(), created } satisfies State);
  deps.logger.info({ created }, 'library publications created');
  return created;
}

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { withTransaction, type Db } from '../../db/database.ts';
import { readPlatformState, writePlatformState } from '../../db/queries/platform-state.ts';
import {
  deleteCodelistItems,
  findCodelist,
  insertCodelistItems,
  lockReferenceData,
  upsertCodelist,
  upsertCountries,
  upsertRegions,
  upsertSeedTerms,
  withdrawTermsMissingFromSeed,
  type CountryRowInput,
  type RegionRowInput,
  type TermRowInput,
} from '../../db/queries/reference.ts';
import { systemActor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { BUILTIN_CODELISTS } from './builtin-codelists.ts';
import { buildCountrySeed } from './countries.ts';
import { M49_REGIONS } from './m49-regions.ts';
import { bumpReferenceVersion, refreshReferenceData } from './reference-data.ts';
import { TAXONOMY_SEED } from './taxonomy-seed.ts';

/** platform_state key: the fingerprint of the seed last written, so an unchanged start costs one query. */
export const REFERENCE_SEED_KEY = 'reference_seed';
/** Bump when the way the seed is written changes, to make every installation write it again. */
const SYNC_FORMAT = 1;

type Seed = { regions: RegionRowInput[]; countries: CountryRowInput[]; terms: TermRowInput[] };

function buildSeed(): Seed {
  return {
    regions: M49_REGIONS.map((r, sort) => ({ m49: r.m49, level: r.level, parent_m49: r.parent, names: r.names, sort })),
    countries: buildCountrySeed().map((c) => ({
      code: c.code,
      alpha3: c.alpha3,
      m49: c.m49,
      region_m49: c.regionM49,
      subregion_m49: c.subregionM49,
      intermediate_m49: c.intermediateM49,
      names: c.names,
      iati_only: c.iatiOnly,
    })),
    terms: TAXONOMY_SEED.flatMap((t) =>
      t.terms.map((term, sort) => ({ taxonomy: t.taxonomy, code: term.code, labels: term.labels, descriptions: term.descriptions ?? {}, parent_code: term.parent ?? null, sort })),
    ),
  };
}

export type ReferenceSyncSummary = { changed: boolean; regions: number; countries: number; newTerms: number; withdrawnTerms: number; builtinCodelists: number };

/**
 * Brings the reference tables in line with this version of the platform, at every start:
 * M49 regions and countries (from the npm packages), taxonomy terms (missing ones inserted,
 * ones that left the seed withdrawn, never deleted; terms an administrator edited are left
 * alone) and the built-in IATI codelists (never over official ones loaded by
 * `icat reference load-iati`). When nothing changed since the last start it reads one row.
 */
export async function syncReferenceData(deps: { db: Db; logger?: Logger }, opts: { force?: boolean } = {}): Promise<ReferenceSyncSummary> {
  const seed = buildSeed();
  const hash = createHash('sha256')
    .update(JSON.stringify({ format: SYNC_FORMAT, seed, codelists: BUILTIN_CODELISTS }))
    .digest('hex');
  const unchanged: ReferenceSyncSummary = { changed: false, regions: 0, countries: 0, newTerms: 0, withdrawnTerms: 0, builtinCodelists: 0 };
  const done = async (tx: Parameters<typeof readPlatformState>[0]) => (await readPlatformState<{ hash?: string }>(tx, REFERENCE_SEED_KEY))?.hash === hash;
  if (!opts.force && (await done(deps.db.kysely))) return unchanged;

  const summary = await withTransaction(deps.db, async (tx) => {
    await lockReferenceData(tx);
    // Another process may have written it while this one waited for the lock.
    if (!opts.force && (await done(tx))) return unchanged;
    await upsertRegions(tx, seed.regions);
    await upsertCountries(tx, seed.countries);
    const newTerms = await upsertSeedTerms(tx, seed.terms);
    const withdrawnTerms = await withdrawTermsMissingFromSeed(tx, seed.terms);
    let builtinCodelists = 0;
    for (const list of BUILTIN_CODELISTS) {
      if ((await findCodelist(tx, list.name))?.origin === 'official') continue;
      await upsertCodelist(tx, { name: list.name, version: null, origin: 'builtin', complete: list.complete, source: 'built-in minimal set' });
      await deleteCodelistItems(tx, list.name);
      await insertCodelistItems(
        tx,
        list.name,
        list.items.map((it) => ({ code: it.code, names: it.names, descriptions: {}, category: it.category ?? null, withdrawn: it.withdrawn === true })),
      );
      builtinCodelists++;
    }
    await writePlatformState(tx, REFERENCE_SEED_KEY, { hash, syncedAt: new Date().toISOString() });
    await bumpReferenceVersion(tx);
    const result: ReferenceSyncSummary = { changed: true, regions: seed.regions.length, countries: seed.countries.length, newTerms, withdrawnTerms, builtinCodelists };
    await recordAudit(tx, { actor: systemActor }, { action: 'reference.sync', recordType: 'reference', recordId: hash.slice(0, 16), after: result });
    return result;
  });
  if (summary.changed) {
    await refreshReferenceData(deps.db);
    deps.logger?.info(summary, 'reference data brought up to date');
  }
  return summary;
}

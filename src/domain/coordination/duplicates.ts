import type { Db, Executor, Tx } from '../../db/database.ts';
import { withTransaction } from '../../db/database.ts';
import {
  countCandidates,
  insertScan,
  releaseScanLease,
  renewScanLease,
  replaceCandidates,
  replaceLinksAndGroups,
  selectActivityKeysById,
  selectCandidates,
  selectConfirmedPairs,
  selectDecidedKeys,
  selectLastScan,
  selectLinks,
  selectReferenceLinks,
  selectScanBatch,
  selectScanTexts,
  takeScanLease,
  upsertDecision,
  type CandidateInput,
  type LinkInput,
  type ScanActivityRow,
} from '../../db/queries/coordination.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { newId } from '../../lib/ids.ts';
import { actorLabel, systemActor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { pickText } from '../languages.ts';
import { authorize } from '../policies.ts';
import { duplicateDecisionSchema, type DuplicateDecisionInput } from './coordination-schemas.ts';
import { textFeatures } from './text-features.ts';

/**
 * Overlaps and duplicates.
 *
 * Funder/implementer pairs: two records of different owners where one names the other's IATI
 * identifier (a participating organization's activity-id, or a related activity) report the
 * same money twice. Near-duplicates: records of different owners in the same country and pillar,
 * with a common target group (when both state one) and overlapping periods, whose titles and
 * descriptions share enough language-independent features (text-features.ts), scored by
 * IDF-weighted Jaccard similarity with an explanation of what matched.
 *
 * The scan never compares every pair: records are blocked by country × pillar, and within a
 * block only records sharing at least one informative feature (one that few records of the
 * block carry) are compared, then filtered by period and target group. Pairs the coordinator
 * decided (by IATI identifier, else id, so decisions survive re-imports) are left out; confirmed
 * duplicates and funder/implementer pairs become links, and linked records form groups that
 * every count and budget counts once.
 */

/** Score from which a pair is proposed. */
export const CANDIDATE_THRESHOLD = 0.35;
/** A feature carried by more records than this in a block does not open comparisons there. */
const MAX_POSTING = 60;
const BATCH = 5000;

export type ScanResult = { scanId: string; activities: number; blocks: number; compared: number; candidates: number; links: number; ms: number };

type Rec = {
  id: string;
  key: string;
  owner: string;
  countries: string[];
  pillars: string[];
  targetGroups: string[];
  start: string | null;
  end: string | null;
  features: Int32Array;
  /** The period as comparable strings: start (else end), end (else open); null when undated. */
  from: string | null;
  to: string;
};

const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

function overlapPeriod(a: Rec, b: Rec): { from: string | null; to: string | null } | null {
  const aStart = a.start ?? a.end;
  const bStart = b.start ?? b.end;
  if (!aStart || !bStart) return { from: null, to: null }; // undated: the period cannot rule the pair out
  const aEnd = a.end ?? '9999-12-31';
  const bEnd = b.end ?? '9999-12-31';
  const from = aStart > bStart ? aStart : bStart;
  const to = aEnd < bEnd ? aEnd : bEnd;
  return from <= to ? { from, to: to === '9999-12-31' ? null : to } : null;
}

const intersect = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.includes(x));

/** Sorted-array intersection and union weights. */
function similarity(a: Int32Array, b: Int32Array, weight: Float64Array): { score: number; shared: number[] } {
  let i = 0;
  let j = 0;
  let inter = 0;
  let union = 0;
  const shared: number[] = [];
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      inter += weight[x]!;
      union += weight[x]!;
      shared.push(x);
      i++;
      j++;
    } else if (x < y) {
      union += weight[x]!;
      i++;
    } else {
      union += weight[y]!;
      j++;
    }
  }
  while (i < a.length) union += weight[a[i++]!]!;
  while (j < b.length) union += weight[b[j++]!]!;
  return { score: union > 0 ? inter / union : 0, shared };
}

/** Reads every live activity into compact records (features as sorted ids), batch by batch. */
async function loadRecords(db: Executor, onProgress: (read: number) => void): Promise<{ recs: Rec[]; featureNames: string[]; df: Int32Array }> {
  const dict = new Map<string, number>();
  const featureNames: string[] = [];
  const dfList: number[] = [];
  const recs: Rec[] = [];
  let after: string | null = null;
  for (;;) {
    const rows: ScanActivityRow[] = await selectScanBatch(db, after, BATCH);
    if (rows.length === 0) break;
    for (const row of rows) {
      const words = new Map<string, string>();
      for (const t of Object.values(row.title ?? {})) textFeatures(t, words);
      for (const t of Object.values(row.description ?? {})) textFeatures(t, words);
      const ids: number[] = [];
      for (const f of words.keys()) {
        let id = dict.get(f);
        if (id === undefined) {
          id = featureNames.length;
          dict.set(f, id);
          featureNames.push(f);
          dfList.push(0);
        }
        dfList[id]!++;
        ids.push(id);
      }
      ids.sort((x, y) => x - y);
      recs.push({
        id: row.id,
        key: row.key,
        owner: row.owner,
        countries: row.countries,
        pillars: row.pillars,
        targetGroups: row.target_groups,
        start: row.start,
        end: row.end,
        features: Int32Array.from(ids),
        from: row.start ?? row.end,
        to: row.end ?? '9999-12-31',
      });
    }
    onProgress(recs.length);
    after = rows.at(-1)!.id;
    if (rows.length < BATCH) break;
  }
  return { recs, featureNames, df: Int32Array.from(dfList) };
}

/** Links (funder/implementer and confirmed duplicates) and the groups they form, rebuilt in the transaction. */
async function rebuildLinks(tx: Tx): Promise<number> {
  const links = new Map<string, LinkInput>();
  for (const r of await selectReferenceLinks(tx)) {
    const [a, b] = r.from_id < r.to_id ? [r.from_id, r.to_id] : [r.to_id, r.from_id];
    const k = `${pairKey(a, b)} fi`;
    const link = links.get(k) ?? { a, b, kind: 'funder_implementer' as const, evidence: [] as { from: string; via: string; ref: string }[] };
    (link.evidence as { from: string; via: string; ref: string }[]).push({ from: r.from_id, via: r.via, ref: r.ref });
    links.set(k, link);
  }
  for (const p of await selectConfirmedPairs(tx)) {
    const [a, b] = p.a < p.b ? [p.a, p.b] : [p.b, p.a];
    links.set(`${pairKey(a, b)} d`, { a, b, kind: 'duplicate', evidence: [{ note: p.note }] });
  }
  // Connected components (union-find): each group is named by its smallest id.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const l of links.values()) {
    if (!parent.has(l.a)) parent.set(l.a, l.a);
    if (!parent.has(l.b)) parent.set(l.b, l.b);
    const ra = find(l.a);
    const rb = find(l.b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const groups = [...parent.keys()].map((id) => ({ activityId: id, groupId: find(id) }));
  await replaceLinksAndGroups(tx, [...links.values()], groups);
  return links.size;
}

/** The explanation of each pair: shared place, theme, group and period, and the shared terms with the word each side used. */
async function explainCandidates(
  db: Executor,
  found: { a: Rec; b: Rec; score: number; shared: number[]; period: { from: string | null; to: string | null }; groups: string[] }[],
  featureNames: string[],
  weight: Float64Array,
): Promise<CandidateInput[]> {
  const texts = new Map<string, { words: Map<string, string>; languages: string[] }>();
  const ids = [...new Set(found.flatMap((f) => [f.a.id, f.b.id]))];
  for (let i = 0; i < ids.length; i += 1000) {
    for (const row of await selectScanTexts(db, ids.slice(i, i + 1000))) {
      const words = new Map<string, string>();
      for (const t of Object.values(row.title ?? {})) textFeatures(t, words);
      for (const t of Object.values(row.description ?? {})) textFeatures(t, words);
      texts.set(row.id, { words, languages: [...new Set([...Object.keys(row.title ?? {}), ...Object.keys(row.description ?? {})])].sort() });
    }
  }
  return found.map((f) => {
    const ta = texts.get(f.a.id);
    const tb = texts.get(f.b.id);
    const terms = [...f.shared]
      .sort((p, q) => weight[q]! - weight[p]!)
      .slice(0, 12)
      .map((id) => {
        const feature = featureNames[id]!;
        return { feature, a: ta?.words.get(feature) ?? '', b: tb?.words.get(feature) ?? '' };
      });
    return {
      a: f.a.id,
      b: f.b.id,
      score: Math.round(f.score * 1000) / 1000,
      explanation: {
        countries: intersect(f.a.countries, f.b.countries),
        pillars: intersect(f.a.pillars, f.b.pillars),
        targetGroups: f.groups,
        period: f.period,
        languages: { a: ta?.languages ?? [], b: tb?.languages ?? [] },
        sharedTerms: terms,
      },
    };
  });
}

export type ScanProgress = { phase: 'read' | 'compare' | 'write'; done: number; total: number };

/**
 * A full duplicate scan over every live activity: funder/implementer links, near-duplicate
 * candidates (replacing those of the previous scan), and the groups counted once. Coordinators
 * only. One scan at a time per database: a second one asked for meanwhile is refused with
 * CONFLICT (see withScanLock).
 */
export async function scanDuplicates(ctx: DomainContext, opts: { onProgress?: (p: ScanProgress) => void } = {}): Promise<ScanResult> {
  authorize(ctx.actor, 'coordination.duplicates.decide');
  return withScanLock(ctx.db, (renew) => runScan(ctx, opts.onProgress ?? (() => undefined), renew));
}

async function runScan(ctx: DomainContext, onProgress: (p: ScanProgress) => void, renew: () => Promise<void>): Promise<ScanResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const { recs, featureNames, df } = await loadRecords(ctx.db.kysely, (done) => onProgress({ phase: 'read', done, total: 0 }));
  const n = Math.max(recs.length, 1);
  const weight = new Float64Array(df.length);
  for (let f = 0; f < df.length; f++) weight[f] = Math.log(1 + n / df[f]!) * (featureNames[f]!.startsWith('c:') ? 1.5 : 1);

  const decided = new Set((await selectDecidedKeys(ctx.db.kysely)).map((d) => pairKey(d.key_a, d.key_b)));
  const blocks = new Map<string, number[]>();
  recs.forEach((r, i) => {
    // A record not yet classified by pillar is blocked with the other unclassified ones of its country.
    for (const c of r.countries) for (const p of r.pillars.length > 0 ? r.pillars : ['-']) {
      const k = `${c}|${p}`;
      const list = blocks.get(k);
      if (list) list.push(i);
      else blocks.set(k, [i]);
    }
  });

  type Found = { a: Rec; b: Rec; score: number; shared: number[]; period: { from: string | null; to: string | null }; groups: string[] };
  const found = new Map<string, Found>();
  let compared = 0;
  let blockNo = 0;
  for (const members of blocks.values()) {
    if (++blockNo % 100 === 0) onProgress({ phase: 'compare', done: blockNo, total: blocks.size });
    if (members.length < 2) continue;
    // Postings of the block's informative features; within a block a pair is looked at once, when first met.
    const postings = new Map<number, number[]>();
    for (const i of members) for (const f of recs[i]!.features) {
      const list = postings.get(f);
      if (list) list.push(i);
      else postings.set(f, [i]);
    }
    const seen = new Set<number>();
    for (const list of postings.values()) {
      if (list.length < 2 || list.length > MAX_POSTING) continue;
      for (let x = 0; x < list.length; x++) {
        const a = recs[list[x]!]!;
        for (let y = x + 1; y < list.length; y++) {
          const b = recs[list[y]!]!;
          // The cheap tests first: another owner, overlapping periods, a common target group.
          if (a.owner === b.owner) continue;
          if (a.from !== null && b.from !== null && (a.from > b.to || b.from > a.to)) continue;
          if (a.targetGroups.length > 0 && b.targetGroups.length > 0 && !a.targetGroups.some((g) => b.targetGroups.includes(g))) continue;
          const local = list[x]! < list[y]! ? list[x]! * recs.length + list[y]! : list[y]! * recs.length + list[x]!;
          if (seen.has(local)) continue;
          seen.add(local);
          compared++;
          const { score, shared } = similarity(a.features, b.features, weight);
          if (score < CANDIDATE_THRESHOLD) continue;
          if (decided.has(pairKey(a.key, b.key))) continue;
          const pk = pairKey(a.id, b.id);
          if (found.has(pk)) continue;
          const [first, second] = a.id < b.id ? [a, b] : [b, a];
          found.set(pk, { a: first, b: second, score, shared, period: overlapPeriod(a, b)!, groups: intersect(a.targetGroups, b.targetGroups) });
        }
      }
    }
  }
  onProgress({ phase: 'compare', done: blocks.size, total: blocks.size });
  onProgress({ phase: 'write', done: 0, total: found.size });
  await renew();
  const candidates = await explainCandidates(ctx.db.kysely, [...found.values()], featureNames, weight);
  candidates.sort((p, q) => q.score - p.score || (p.a < q.a ? -1 : 1));

  const result = await withTransaction(ctx.db, async (tx) => {
    await replaceCandidates(tx, candidates);
    const links = await rebuildLinks(tx);
    const scanId = newId('scan');
    const ms = performance.now() - t0;
    await insertScan(tx, { id: scanId, startedAt, finishedAt: new Date(), activities: recs.length, blocks: blocks.size, compared, candidates: candidates.length, links, actorLabel: actorLabel(ctx.actor) });
    await recordAudit(tx, ctx, { action: 'duplicates.scan', recordType: 'duplicate_scan', recordId: scanId, after: { activities: recs.length, compared, candidates: candidates.length, links } });
    return { scanId, activities: recs.length, blocks: blocks.size, compared, candidates: candidates.length, links, ms: Math.round(ms) };
  });
  onProgress({ phase: 'write', done: found.size, total: found.size });
  return result;
}

const scanning = new WeakSet<Db>();
/** A lease not renewed for this long belongs to a process that died; scans renew it between batches. */
const SCAN_LEASE_STALE_MINUTES = 30;

/**
 * Runs `fn` as the only duplicate scan of the database: in this process, and across the
 * processes of a server through a lease in platform_state (taken, renewed by `renew`, released).
 * A scan already running refuses the second with CONFLICT.
 */
async function withScanLock<T>(db: Db, fn: (renew: () => Promise<void>) => Promise<T>): Promise<T> {
  const busy = () => new AppError('CONFLICT', 'A duplicate scan is already running; its results will be on the duplicates page when it ends.');
  if (scanning.has(db)) throw busy();
  scanning.add(db);
  try {
    const holder = newId('scan');
    if (!(await takeScanLease(db.kysely, holder, SCAN_LEASE_STALE_MINUTES))) throw busy();
    try {
      return await fn(() => renewScanLease(db.kysely, holder));
    } finally {
      await releaseScanLease(db.kysely, holder);
    }
  } finally {
    scanning.delete(db);
  }
}

/** Scans asked for after imports, per database: the one running, and whether another must follow it. */
const scheduled = new Map<Db, { run: Promise<void>; again: boolean }>();
let reportBackgroundError: (err: unknown) => void = () => undefined;

/** Where failures of scans run in the background are reported (the server's log). */
export function onBackgroundScanError(fn: (err: unknown) => void): void {
  reportBackgroundError = fn;
}

const RETRY_BUSY_MS = 5_000;
const RETRY_BUSY_TIMES = 120;

/**
 * Asks for a full duplicate scan in the background, as the system, after an import wrote
 * activities: the caller does not wait. Scans asked for while one runs in this process are
 * folded into one more scan after it, so that it sees every import; a scan running in another
 * process is waited for (retried every few seconds).
 */
export function requestDuplicateScan(ctx: DomainContext): void {
  const current = scheduled.get(ctx.db);
  if (current) {
    current.again = true;
    return;
  }
  const entry = { run: Promise.resolve(), again: false };
  const sys: DomainContext = { db: ctx.db, config: ctx.config, actor: systemActor };
  entry.run = (async () => {
    do {
      entry.again = false;
      for (let attempt = 0; ; attempt++) {
        try {
          await scanDuplicates(sys);
          break;
        } catch (err) {
          if (err instanceof AppError && err.code === 'CONFLICT' && attempt < RETRY_BUSY_TIMES) {
            await new Promise((r) => setTimeout(r, RETRY_BUSY_MS).unref());
            continue;
          }
          reportBackgroundError(err);
          break;
        }
      }
    } while (entry.again);
  })().finally(() => scheduled.delete(ctx.db));
  scheduled.set(ctx.db, entry);
}

/** Resolves when no scan asked for by requestDuplicateScan is running or due (tests, the CLI before it exits, shutdown). */
export async function whenDuplicateScansIdle(db?: Db): Promise<void> {
  for (;;) {
    const runs = [...scheduled.entries()].filter(([d]) => !db || d === db).map(([, e]) => e.run);
    if (runs.length === 0) return;
    await Promise.allSettled(runs);
  }
}

/**
 * The coordinator's decision on a pair: `duplicate` links the two (every count then counts
 * them once); `not_duplicate` keeps them apart and the pair is never proposed again, across
 * scans and re-imports (the decision is kept by IATI identifier, else by id).
 */
export async function decideDuplicate(ctx: DomainContext, input: DuplicateDecisionInput): Promise<{ decision: 'duplicate' | 'not_duplicate'; activityA: string; activityB: string; links: number }> {
  authorize(ctx.actor, 'coordination.duplicates.decide');
  const d = duplicateDecisionSchema.parse(input);
  if (d.activityA === d.activityB) throw new AppError('VALIDATION_FAILED', 'A pair needs two different activities.', { fields: [{ path: 'activityB', message: 'Choose another activity than the first.' }] });
  const [a, b] = d.activityA < d.activityB ? [d.activityA, d.activityB] : [d.activityB, d.activityA];
  return withTransaction(ctx.db, async (tx) => {
    const keys = new Map((await selectActivityKeysById(tx, [a, b])).map((k) => [k.id, k.key]));
    if (!keys.has(a) || !keys.has(b)) throw notFound('The activity');
    const [keyA, keyB] = [keys.get(a)!, keys.get(b)!].sort() as [string, string];
    await upsertDecision(tx, { keyA, keyB, decision: d.decision, note: d.note, decidedBy: ctx.actor.kind === 'anonymous' ? null : actorLabel(ctx.actor) }, { a, b });
    const links = await rebuildLinks(tx);
    await recordAudit(tx, ctx, { action: `duplicates.${d.decision}`, recordType: 'duplicate_pair', recordId: `${a}+${b}`, after: { keyA, keyB, decision: d.decision, note: d.note } });
    return { decision: d.decision, activityA: a, activityB: b, links };
  });
}

export type DuplicateCandidate = {
  activityA: { id: string; title: string; owner: string };
  activityB: { id: string; title: string; owner: string };
  score: number;
  explanation: unknown;
  foundAt: string;
};

/** Open candidates, best first (keyset pages). Coordinators only. */
export async function listDuplicateCandidates(
  ctx: DomainContext,
  opts: { limit?: number; cursor?: string; lang?: string } = {},
): Promise<{ items: DuplicateCandidate[]; nextCursor: string | null; total: number; lastScan: { id: string; finishedAt: string; activities: number; compared: number; candidates: number; links: number } | null }> {
  authorize(ctx.actor, 'coordination.duplicates.read');
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  let after: { score: number; a: string; b: string } | undefined;
  if (opts.cursor) {
    const [score, a, b] = decodeCursor(opts.cursor, 3);
    if (typeof score !== 'number' || typeof a !== 'string' || typeof b !== 'string') {
      throw new AppError('VALIDATION_FAILED', 'This cursor is not valid.', { fields: [{ path: 'cursor', message: 'Pass the nextCursor of the previous page.' }] });
    }
    after = { score, a, b };
  }
  const lang = opts.lang ?? 'en';
  const rows = await selectCandidates(ctx.db.kysely, { limit: limit + 1, after });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const scan = await selectLastScan(ctx.db.kysely);
  return {
    items: page.map((r) => ({
      activityA: { id: r.activity_a, title: pickText(r.title_a, lang), owner: r.owner_a },
      activityB: { id: r.activity_b, title: pickText(r.title_b, lang), owner: r.owner_b },
      score: r.score,
      explanation: r.explanation,
      foundAt: new Date(r.found_at).toISOString(),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor([last.score, last.activity_a, last.activity_b]) : null,
    total: await countCandidates(ctx.db.kysely),
    lastScan: scan ? { id: scan.id, finishedAt: new Date(scan.finished_at).toISOString(), activities: scan.activities, compared: Number(scan.compared), candidates: scan.candidates, links: scan.links } : null,
  };
}

export type ActivityLink = { kind: 'funder_implementer' | 'duplicate'; activityA: { id: string; title: string; owner: string }; activityB: { id: string; title: string; owner: string }; evidence: unknown };

/** Every link between records of the same work. Coordinators only. */
export async function listActivityLinks(ctx: DomainContext, opts: { lang?: string } = {}): Promise<ActivityLink[]> {
  authorize(ctx.actor, 'coordination.duplicates.read');
  const lang = opts.lang ?? 'en';
  return (await selectLinks(ctx.db.kysely)).map((l) => ({
    kind: l.kind,
    activityA: { id: l.activity_a, title: pickText(l.title_a, lang), owner: l.owner_a },
    activityB: { id: l.activity_b, title: pickText(l.title_b, lang), owner: l.owner_b },
    evidence: l.evidence,
  }));
}

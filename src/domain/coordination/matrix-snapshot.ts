import type { Db } from '../../db/database.ts';
import { selectMatrixChanges, type DimensionSql, type MatrixChanges, type MatrixPartRow, type MatrixRequest, type SnapshotRow } from '../../db/queries/coordination.ts';
import type { ReadScope, ResolvedFilters } from '../../db/queries/activity-list.ts';

/**
 * The coverage matrix computed in the process (ADR 028). Each process keeps a compact copy of
 * the activity list rows a matrix reads — codes as small integers, budgets per currency, the
 * directly stated M49 regions, the linked group — and brings it up to date before every matrix
 * from the rows stamped since it last looked (migration 0011), in one repeatable-read snapshot.
 * The matrix is then one pass over the copy in memory, with the same filters, read scope and
 * parts as the SQL statement of `matrixQuery`, which stays the exact reference (and the test
 * oracle). Filters the copy cannot evaluate (the text query, an organization in a given IATI role)
 * are evaluated by the database in the same snapshot, as a set of ids.
 */

type Rec = {
  owner: number;
  visibility: string;
  shared: number[];
  deleted: boolean;
  status: string | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  actualStart: string | null;
  actualEnd: string | null;
  /** The first calendar year of the work (the first known date) and its last (the end date), for the period axis. */
  startYear: number | null;
  endYear: number | null;
  pillars: number[];
  forms: number[];
  targetGroups: number[];
  contexts: number[];
  sdg: number[];
  countries: number[];
  regions: number[];
  orgs: number[];
  stated: number[];
  /** Budget per currency. */
  budgets: Record<string, number> | null;
  group: number;
};

const NONE: number[] = [];

/**
 * A copy of a string cut from the text the copy is read from (selectMatrixChanges), that does not
 * keep that whole text alive: V8 makes longer substrings views into their parent string.
 */
const detached = (s: string): string => (' ' + s).slice(1);
const yearOf = (d: string | null): number | null => (d === null ? null : Number(d.slice(0, 4)));

type ArrayField = 'pillars' | 'forms' | 'targetGroups' | 'contexts' | 'sdg' | 'countries' | 'regions' | 'orgs';
const COLUMN_FIELD: Record<Extract<DimensionSql, { kind: 'array' }>['column'], ArrayField> = {
  country_codes: 'countries',
  pillars: 'pillars',
  exploitation_forms: 'forms',
  target_groups: 'targetGroups',
  contexts: 'contexts',
  organization_ids: 'orgs',
};

/** The copy of one database's list rows. */
class Snapshot {
  mark: string | null = null;
  readonly recs = new Map<string, Rec>();
  readonly codes = new Map<string, number>();
  readonly names: string[] = [];
  groupCount = 0;
  grouped = 0;

  code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.names.length;
      const own = detached(s);
      this.codes.set(own, c);
      this.names.push(own);
    }
    return c;
  }

  /** Dates and short texts, one string each. */
  private readonly texts = new Map<string, string>();
  private text = (v: string | null): string | null => {
    if (v === null) return null;
    let t = this.texts.get(v);
    if (t === undefined) this.texts.set(v, (t = detached(v)));
    return t;
  };
  /** Code arrays are shared between records: most records repeat a few combinations of codes. */
  private readonly arrays = new Map<string, number[]>();
  private encode = (v: readonly string[]): number[] => {
    const key = v.join('\u0000');
    let a = this.arrays.get(key);
    if (!a) this.arrays.set(detached(key), (a = v.map((s) => this.code(s))));
    return a;
  };

  private put(r: SnapshotRow, group: number): Rec {
    const rec: Rec = {
      owner: this.code(r.owner_organization_id),
      visibility: this.text(r.visibility)!,
      shared: this.encode(r.shared_with),
      deleted: r.deleted,
      status: this.text(r.status),
      plannedStart: this.text(r.planned_start),
      plannedEnd: this.text(r.planned_end),
      actualStart: this.text(r.actual_start),
      actualEnd: this.text(r.actual_end),
      startYear: yearOf(r.actual_start ?? r.planned_start ?? r.actual_end ?? r.planned_end),
      endYear: yearOf(r.actual_end ?? r.planned_end),
      pillars: this.encode(r.pillars),
      forms: this.encode(r.exploitation_forms),
      targetGroups: this.encode(r.target_groups),
      contexts: this.encode(r.contexts),
      sdg: this.encode(r.sdg_targets),
      countries: this.encode(r.country_codes),
      regions: this.encode(r.region_codes),
      orgs: this.encode(r.organization_ids),
      stated: NONE,
      budgets: null,
      group,
    };
    this.recs.set(this.recs.has(r.id) ? r.id : detached(r.id), rec);
    return rec;
  }

  /** Applies what changed; false when rows were removed and the copy must be read again in full. */
  apply(ch: MatrixChanges, full: boolean): boolean {
    if (full) this.recs.clear();
    const changed = new Map<string, Rec>();
    for (const r of ch.rows) changed.set(r.id, this.put(r, this.recs.get(r.id)?.group ?? -1));
    const stated = new Map<string, string[]>();
    for (const s of ch.stated) if (changed.has(s.id)) stated.set(s.id, [...(stated.get(s.id) ?? []), s.code]);
    for (const [id, codes] of stated) changed.get(id)!.stated = this.encode(codes);
    for (const b of ch.budgets) {
      const rec = changed.get(b.id);
      if (rec) (rec.budgets ??= Object.create(null) as Record<string, number>)[b.currency] = b.v;
    }
    if (ch.groups) {
      for (const rec of this.recs.values()) rec.group = -1;
      for (const g of ch.groups) {
        const rec = this.recs.get(g.activity_id);
        if (rec) rec.group = this.code(g.group_id);
      }
      this.groupCount = ch.groups.length;
    }
    this.mark = ch.mark;
    return this.recs.size === ch.count;
  }
}

const snapshots = new WeakMap<Db, { snap: Snapshot | null; queue: Promise<unknown> }>();

/** Filters the copy evaluates itself; the others go to the database as a set of ids. */
function needsIds(f: ResolvedFilters): boolean {
  return Boolean(f.text) || Boolean(f.organizations && f.organizations.ids.length > 0 && f.organizations.role && f.organizations.role !== 'owner');
}

/**
 * The parts of the matrix (as `selectMatrixParts` returns them) from the process's copy, brought
 * up to date first. Calls on one database run one after the other.
 */
export async function snapshotMatrixParts(db: Db, scope: ReadScope, f: ResolvedFilters, m: MatrixRequest): Promise<MatrixPartRow[]> {
  let entry = snapshots.get(db);
  if (!entry) snapshots.set(db, (entry = { snap: null, queue: Promise.resolve() }));
  const e = entry;
  const run = async (): Promise<MatrixPartRow[]> => {
    const select = needsIds(f) ? { scope, f } : null;
    let snap = e.snap;
    let ch = snap ? await selectMatrixChanges(db.kysely, snap.mark, snap.groupCount, select) : null;
    if (!snap || !ch || !snap.apply(ch, false)) {
      snap = new Snapshot();
      e.snap = null;
      ch = await selectMatrixChanges(db.kysely, null, -1, select);
      if (!snap.apply(ch, true)) throw new Error('The activity list rows changed while they were read in one snapshot.');
      e.snap = snap;
    }
    return computeParts(snap, scope, f, m, ch.ids ? new Set(ch.ids) : null);
  };
  const result = e.queue.then(run, run);
  e.queue = result.catch(() => undefined);
  return result;
}

/** Forgets the copy of a database (after a restore replaced everything, or in tests). */
export function dropMatrixSnapshot(db: Db): void {
  snapshots.delete(db);
}

const overlaps = (a: number[], b: Set<number>): boolean => a.some((x) => b.has(x));

function visibleTo(scope: ReadScope): (r: Rec, snap: Snapshot) => boolean {
  if (scope.all) return (r) => !r.deleted;
  const orgs = new Set<string>(scope.organizationIds);
  return (r, snap) =>
    !r.deleted &&
    (r.visibility === 'public' ||
      (scope.memberPerson && r.visibility === 'members') ||
      orgs.has(snap.names[r.owner]!) ||
      (r.visibility === 'restricted' && r.shared.some((s) => orgs.has(snap.names[s]!))));
}

/** The record filter of the list's filters (migration 0005's conditions, evaluated on the copy). */
function filterOf(snap: Snapshot, f: ResolvedFilters): (r: Rec) => boolean {
  const tests: ((r: Rec) => boolean)[] = [];
  const set = (v: string[]) => new Set(v.map((s) => snap.code(s)));
  const facet = (v: string[] | undefined, field: ArrayField) => {
    if (v && v.length > 0) {
      const s = set(v);
      tests.push((r) => overlaps(r[field], s));
    }
  };
  facet(f.countries, 'countries');
  facet(f.regions, 'regions');
  facet(f.pillars, 'pillars');
  facet(f.exploitationForms, 'forms');
  facet(f.targetGroups, 'targetGroups');
  facet(f.contexts, 'contexts');
  facet(f.sdgTargets, 'sdg');
  if (f.statuses && f.statuses.length > 0) {
    const s = new Set(f.statuses);
    tests.push((r) => r.status !== null && s.has(r.status));
  }
  if (f.organizations && f.organizations.ids.length > 0) {
    const s = set(f.organizations.ids);
    if (f.organizations.role === 'owner') tests.push((r) => s.has(r.owner));
    else if (!f.organizations.role) tests.push((r) => overlaps(r.orgs, s));
    // Other roles come from the database as ids.
  }
  const period = f.period;
  if (period && (period.from || period.to)) {
    tests.push((r) => {
      const start = r.actualStart ?? r.plannedStart;
      const end = r.actualEnd ?? r.plannedEnd;
      if ((start ?? end) === null) return false;
      if (period.to && start !== null && start > period.to) return false;
      if (period.from && end !== null && end < period.from) return false;
      return true;
    });
  }
  return (r) => tests.every((t) => t(r));
}

/**
 * The values of one axis for a record, as codes of the copy. Array dimensions hand out the
 * record's own (shared) array; the others fill one scratch array, reused from record to record,
 * so that counting allocates nothing per record.
 */
function dimensionOf(snap: Snapshot, d: DimensionSql): (r: Rec) => readonly number[] {
  switch (d.kind) {
    case 'array': {
      const field = COLUMN_FIELD[d.column];
      return (r) => r[field];
    }
    case 'regions': {
      const level = new Uint8Array(snap.names.length + 1);
      for (const c of d.codes) {
        const code = snap.codes.get(c);
        if (code !== undefined) level[code] = 1;
      }
      const out: number[] = [];
      return (r) => {
        out.length = 0;
        for (const x of r.regions) if (level[x] === 1) out.push(x);
        return out;
      };
    }
    case 'all': {
      const all = [snap.code('all')];
      return () => all;
    }
    case 'years': {
      const codes: number[] = [];
      for (let y = d.from; y <= d.to; y++) codes.push(snap.code(String(y)));
      const out: number[] = [];
      return (r) => {
        // As the SQL: from the first known date (greatest() ignores a missing one) to the end, an open end running on.
        out.length = 0;
        const lo = r.startYear === null ? d.from : Math.max(r.startYear, d.from);
        const hi = r.endYear === null ? d.to : Math.min(r.endYear, d.to);
        for (let y = lo; y <= hi; y++) out.push(codes[y - d.from]!);
        return out;
      };
    }
  }
}

/** A code → local index table for the values met on one side (−1: not met). */
class Locals {
  readonly of: Int32Array;
  readonly codes: number[] = [];
  constructor(size: number) {
    this.of = new Int32Array(size).fill(-1);
  }
  mark(values: readonly number[]): void {
    for (const c of values) {
      if (this.of[c]! < 0) {
        this.of[c] = this.codes.length;
        this.codes.push(c);
      }
    }
  }
}

/**
 * The matrix parts of `matrixQuery`, computed over the copy: a first pass picks the records and
 * numbers the values met on each axis, a second counts into dense typed arrays (row × column;
 * stated region × other side for the coarser coverage). Nothing is allocated per record except
 * for the few records of linked groups; strings are made only for the parts returned.
 */
export function computeParts(snap: Snapshot, scope: ReadScope, f: ResolvedFilters, m: MatrixRequest, ids: Set<string> | null): MatrixPartRow[] {
  const visible = visibleTo(scope);
  const filter = filterOf(snap, f);
  const d1Of = dimensionOf(snap, m.rows);
  const d2Of = dimensionOf(snap, m.cols);
  const withBudget = m.measure === 'budget';
  const withOrgs = m.measure === 'organizations';
  const withGroups = snap.groupCount > 0;
  const currency = m.currency;

  // Pass 1: the records under the scope and filters, and the values met on each axis.
  const rowsL = new Locals(snap.names.length);
  const colsL = new Locals(snap.names.length);
  const sel: Rec[] = [];
  if (ids) {
    for (const id of ids) {
      const r = snap.recs.get(id);
      if (r && visible(r, snap)) sel.push(r);
    }
  } else {
    for (const r of snap.recs.values()) if (visible(r, snap) && filter(r)) sel.push(r);
  }
  for (const r of sel) {
    rowsL.mark(d1Of(r));
    colsL.mark(d2Of(r));
  }

  // Pass 2: cells, margins, total; the groups and the coarser coverage on the side.
  const rowOf = rowsL.of;
  const colOf = colsL.of;
  const nR = rowsL.codes.length;
  const nC = colsL.codes.length;
  const cellN = new Int32Array(nR * nC);
  const cellV = withBudget ? new Float64Array(nR * nC) : null;
  const cellOrgs = withOrgs ? new Map<number, Set<number>>() : null;
  const rowN = new Int32Array(nR);
  const rowBlank = new Int32Array(nR);
  const colN = new Int32Array(nC);
  const colBlank = new Int32Array(nC);
  // Coarser coverage: per region stated directly (local index ≥ 1) or global work (0), the records per value of the other side.
  const geoRows = m.geoSide === 'rows';
  const nOther = geoRows ? nC : nR;
  const statedOf = m.geoSide ? new Int32Array(snap.names.length).fill(-1) : null;
  const statedNames: string[] = ['global'];
  const coarse: Int32Array[] = m.geoSide ? [new Int32Array(nOther)] : [];
  const groups = new Map<number, Member[]>();
  let totalV = 0;
  for (const r of sel) {
    const d1 = d1Of(r);
    const d2 = d2Of(r);
    const b = withBudget && r.budgets !== null ? (r.budgets[currency] ?? null) : null;
    for (const x of d1) {
      const xi = rowOf[x]!;
      const base = xi * nC;
      for (const y of d2) {
        const k = base + colOf[y]!;
        cellN[k]!++;
        if (b !== null) cellV![k] = cellV![k]! + b;
        if (cellOrgs !== null && r.orgs.length > 0) {
          let set = cellOrgs.get(k);
          if (!set) cellOrgs.set(k, (set = new Set()));
          for (const o of r.orgs) set.add(o);
        }
      }
      rowN[xi]!++;
      if (d2.length === 0) rowBlank[xi]!++;
    }
    for (const y of d2) {
      const yi = colOf[y]!;
      colN[yi]!++;
      if (d1.length === 0) colBlank[yi]!++;
    }
    if (b !== null) totalV += b;
    if (withGroups && r.group >= 0) {
      let g = groups.get(r.group);
      if (!g) groups.set(r.group, (g = []));
      g.push({ d1: d1.map((x) => rowOf[x]!), d2: d2.map((y) => colOf[y]!), b });
    }
    if (statedOf !== null) {
      const values = geoRows ? d2 : d1;
      const of = geoRows ? colOf : rowOf;
      if (values.length === 0) continue;
      for (const st of r.stated) {
        let si = statedOf[st]!;
        if (si < 0) {
          si = statedOf[st] = coarse.length;
          coarse.push(new Int32Array(nOther));
          statedNames.push(snap.names[st]!);
        }
        const line = coarse[si]!;
        for (const v of values) line[of[v]!]!++;
      }
      if (r.countries.length === 0 && r.regions.length === 0) {
        const line = coarse[0]!;
        for (const v of values) line[of[v]!]!++;
      }
    }
  }

  const rowNames = rowsL.codes.map((c) => snap.names[c]!);
  const colNames = colsL.codes.map((c) => snap.names[c]!);
  const out: MatrixPartRow[] = [];
  for (let x = 0; x < nR; x++) {
    for (let y = 0; y < nC; y++) {
      const n = cellN[x * nC + y]!;
      if (n > 0) out.push({ part: 'cell', r: rowNames[x]!, c: colNames[y]!, n, v: cellV ? cellV[x * nC + y]! : null, w: 0 });
    }
    if (rowN[x]! > 0) out.push({ part: 'row', r: rowNames[x]!, c: null, n: rowN[x]!, v: withBudget ? 0 : null, w: rowBlank[x]! });
  }
  for (let y = 0; y < nC; y++) if (colN[y]! > 0) out.push({ part: 'col', r: null, c: colNames[y]!, n: colN[y]!, v: withBudget ? 0 : null, w: colBlank[y]! });
  if (sel.length > 0) out.push({ part: 'total', r: null, c: null, n: sel.length, v: withBudget ? totalV : null, w: 0 });
  if (withGroups) out.push(...groupParts(groups, nC, rowNames, colNames));
  if (cellOrgs) for (const [k, set] of cellOrgs) out.push({ part: 'org', r: rowNames[Math.floor(k / nC)]!, c: colNames[k % nC]!, n: set.size, v: null, w: null });
  const otherNames = geoRows ? colNames : rowNames;
  for (let si = 0; si < coarse.length; si++) {
    const line = coarse[si]!;
    for (let v = 0; v < nOther; v++) if (line[v]! > 0) out.push({ part: 'coarse', r: statedNames[si]!, c: otherNames[v]!, n: line[v]!, v: null, w: null });
  }
  return out;
}

type Member = { d1: number[]; d2: number[]; b: number | null };

/** Per cell and group of more than one record: the records beyond the first, and the budget beyond the group's largest; and the same over the total. */
function groupParts(groups: Map<number, Member[]>, nC: number, rowNames: string[], colNames: string[]): MatrixPartRow[] {
  const grp = new Map<number, { n: number; v: number }>();
  let gN = 0;
  let gV = 0;
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    gN += members.length - 1;
    gV += sumOf(members) - maxOf(members);
    const perCell = new Map<number, { n: number; s: number; mx: number | null }>();
    for (const mem of members) {
      for (const x of mem.d1) {
        for (const y of mem.d2) {
          const k = x * nC + y;
          const e = perCell.get(k) ?? { n: 0, s: 0, mx: null };
          e.n++;
          if (mem.b !== null) {
            e.s += mem.b;
            e.mx = e.mx === null ? mem.b : Math.max(e.mx, mem.b);
          }
          perCell.set(k, e);
        }
      }
    }
    for (const [k, e] of perCell) {
      if (e.n < 2) continue;
      const t = grp.get(k) ?? { n: 0, v: 0 };
      t.n += e.n - 1;
      t.v += e.s - (e.mx ?? 0);
      grp.set(k, t);
    }
  }
  const out: MatrixPartRow[] = [];
  for (const [k, t] of grp) out.push({ part: 'grp', r: rowNames[Math.floor(k / nC)]!, c: colNames[k % nC]!, n: t.n, v: t.v, w: null });
  out.push({ part: 'gtotal', r: null, c: null, n: gN, v: gV, w: null });
  return out;
}

function sumOf(members: { b: number | null }[]): number {
  let s = 0;
  for (const m of members) if (m.b !== null) s += m.b;
  return s;
}

function maxOf(members: { b: number | null }[]): number {
  let mx: number | null = null;
  for (const m of members) if (m.b !== null) mx = mx === null ? m.b : Math.max(mx, m.b);
  return mx ?? 0;
}

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
      this.codes.set(s, c);
      this.names.push(s);
    }
    return c;
  }

  /** Dates and short texts, one string each. */
  private readonly texts = new Map<string, string>();
  private text = (v: string | null): string | null => {
    if (v === null) return null;
    let t = this.texts.get(v);
    if (t === undefined) this.texts.set(v, (t = v));
    return t;
  };
  /** Code arrays are shared between records: most records repeat a few combinations of codes. */
  private readonly arrays = new Map<string, number[]>();
  private encode = (v: readonly string[]): number[] => {
    const key = v.join('\u0000');
    let a = this.arrays.get(key);
    if (!a) this.arrays.set(key, (a = v.map((s) => this.code(s))));
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
    this.recs.set(r.id, rec);
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

const yearOf = (d: string | null): number | null => (d === null ? null : Number(d.slice(0, 4)));

function dimensionOf(snap: Snapshot, d: DimensionSql): (r: Rec) => number[] {
  switch (d.kind) {
    case 'array': {
      const field = COLUMN_FIELD[d.column];
      return (r) => r[field];
    }
    case 'regions': {
      const level = new Set(d.codes.map((c) => snap.code(c)));
      return (r) => r.regions.filter((x) => level.has(x));
    }
    case 'all': {
      const all = [snap.code('all')];
      return () => all;
    }
    case 'years': {
      const codes = new Map<number, number>();
      for (let y = d.from; y <= d.to; y++) codes.set(y, snap.code(String(y)));
      return (r) => {
        // As the SQL: from the first known date (greatest() ignores a missing one) to the end, an open end running on.
        const start = yearOf(r.actualStart ?? r.plannedStart ?? r.actualEnd ?? r.plannedEnd);
        const end = yearOf(r.actualEnd ?? r.plannedEnd);
        const lo = start === null ? d.from : Math.max(start, d.from);
        const hi = end === null ? d.to : Math.min(end, d.to);
        const out: number[] = [];
        for (let y = lo; y <= hi; y++) out.push(codes.get(y)!);
        return out;
      };
    }
  }
}

/**
 * The matrix parts of `matrixQuery`, computed over the copy: a first pass picks the records and
 * numbers the values met on each axis, a second counts into dense arrays (row × column).
 */
export function computeParts(snap: Snapshot, scope: ReadScope, f: ResolvedFilters, m: MatrixRequest, ids: Set<string> | null): MatrixPartRow[] {
  const visible = visibleTo(scope);
  const filter = filterOf(snap, f);
  const d1Of = dimensionOf(snap, m.rows);
  const d2Of = dimensionOf(snap, m.cols);
  const withBudget = m.measure === 'budget';
  const withOrgs = m.measure === 'organizations';
  const withGroups = snap.groupCount > 0;

  // Pass 1: the records under the scope and filters, their two axis values as local indices.
  const rowOf = new Int32Array(snap.names.length).fill(-1);
  const colOf = new Int32Array(snap.names.length).fill(-1);
  const rowCodes: number[] = [];
  const colCodes: number[] = [];
  const local = (of: Int32Array, codes: number[], v: number[]): number[] =>
    v.map((c) => {
      let i = of[c]!;
      if (i < 0) {
        i = codes.length;
        of[c] = i;
        codes.push(c);
      }
      return i;
    });
  const sel: Rec[] = [];
  const D1: number[][] = [];
  const D2: number[][] = [];
  for (const [id, r] of snap.recs) {
    if (!visible(r, snap)) continue;
    if (ids ? !ids.has(id) : !filter(r)) continue;
    sel.push(r);
    D1.push(local(rowOf, rowCodes, d1Of(r)));
    D2.push(local(colOf, colCodes, d2Of(r)));
  }

  // Pass 2: cells, margins, total; the groups and the coarser coverage on the side.
  const nC = colCodes.length;
  const cellN = new Int32Array(rowCodes.length * nC);
  const cellV = withBudget ? new Float64Array(rowCodes.length * nC) : null;
  const cellOrgs = withOrgs ? new Map<number, Set<number>>() : null;
  const rowN = new Int32Array(rowCodes.length);
  const rowBlank = new Int32Array(rowCodes.length);
  const colN = new Int32Array(nC);
  const colBlank = new Int32Array(nC);
  const coarse = new Map<string, number>(); // "stated region\u0000column or row code" → n
  const groups = new Map<number, { d1: number[]; d2: number[]; b: number | null }[]>();
  let totalV = 0;
  for (let i = 0; i < sel.length; i++) {
    const r = sel[i]!;
    const d1 = D1[i]!;
    const d2 = D2[i]!;
    const b = withBudget ? (r.budgets?.[m.currency] ?? null) : null;
    for (const x of d1) {
      const base = x * nC;
      for (const y of d2) {
        cellN[base + y]!++;
        if (b !== null) cellV![base + y] = cellV![base + y]! + b;
        if (cellOrgs && r.orgs.length > 0) {
          let set = cellOrgs.get(base + y);
          if (!set) cellOrgs.set(base + y, (set = new Set()));
          for (const o of r.orgs) set.add(o);
        }
      }
      rowN[x]!++;
      if (d2.length === 0) rowBlank[x]!++;
    }
    for (const y of d2) {
      colN[y]!++;
      if (d1.length === 0) colBlank[y]!++;
    }
    if (b !== null) totalV += b;
    if (withGroups && r.group >= 0) {
      let g = groups.get(r.group);
      if (!g) groups.set(r.group, (g = []));
      g.push({ d1, d2, b });
    }
    if (m.geoSide) {
      const values = m.geoSide === 'rows' ? d2.map((y) => colCodes[y]!) : d1.map((x) => rowCodes[x]!);
      const add = (k: string) => coarse.set(k, (coarse.get(k) ?? 0) + 1);
      for (const st of r.stated) for (const v of values) add(`${snap.names[st]}\u0000${v}`);
      if (r.countries.length === 0 && r.regions.length === 0) for (const v of values) add(`global\u0000${v}`);
    }
  }

  const rowName = (x: number) => snap.names[rowCodes[x]!]!;
  const colName = (y: number) => snap.names[colCodes[y]!]!;
  const out: MatrixPartRow[] = [];
  for (let x = 0; x < rowCodes.length; x++) {
    for (let y = 0; y < nC; y++) {
      const n = cellN[x * nC + y]!;
      if (n > 0) out.push({ part: 'cell', r: rowName(x), c: colName(y), n, v: cellV ? cellV[x * nC + y]! : null, w: 0 });
    }
    if (rowN[x]! > 0) out.push({ part: 'row', r: rowName(x), c: null, n: rowN[x]!, v: withBudget ? 0 : null, w: rowBlank[x]! });
  }
  for (let y = 0; y < nC; y++) if (colN[y]! > 0) out.push({ part: 'col', r: null, c: colName(y), n: colN[y]!, v: withBudget ? 0 : null, w: colBlank[y]! });
  if (sel.length > 0) out.push({ part: 'total', r: null, c: null, n: sel.length, v: withBudget ? totalV : null, w: 0 });
  if (withGroups) {
    // Per cell and group of more than one record: the records beyond the first, and the budget beyond the group's largest.
    const grp = new Map<number, { n: number; v: number }>();
    let gN = 0;
    let gV = 0;
    for (const members of groups.values()) {
      if (members.length > 1) {
        gN += members.length - 1;
        gV += sumOf(members) - maxOf(members);
      }
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
    for (const [k, t] of grp) out.push({ part: 'grp', r: rowName(Math.floor(k / nC)), c: colName(k % nC), n: t.n, v: t.v, w: null });
    out.push({ part: 'gtotal', r: null, c: null, n: gN, v: gV, w: null });
  }
  if (cellOrgs) for (const [k, set] of cellOrgs) out.push({ part: 'org', r: rowName(Math.floor(k / nC)), c: colName(k % nC), n: set.size, v: null, w: null });
  for (const [k, n] of coarse) {
    const [r, c] = k.split('\u0000') as [string, string];
    out.push({ part: 'coarse', r, c: snap.names[Number(c)]!, n, v: null, w: null });
  }
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

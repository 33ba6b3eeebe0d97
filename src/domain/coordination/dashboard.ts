import { selectReportingCompleteness } from '../../db/queries/coordination.ts';
import { readScopeOf } from '../activities/list-activities.ts';
import type { DomainContext } from '../context.ts';
import { authorize, can } from '../policies.ts';
import { analyticsFiltersSchema } from './coordination-schemas.ts';
import { coverageMatrix, type CoverageMatrix } from './coverage-matrix.ts';
import { listDuplicateCandidates, type DuplicateCandidate } from './duplicates.ts';
import { worldMap, type WorldMap } from './world-map.ts';

/** One member's reporting: how many of its activities state a place, a pillar and a target group, and when it last changed one. */
export type ReportingCompleteness = {
  organizationId: string;
  slug: string;
  acronym: string;
  activities: number;
  withCountries: number;
  withPillars: number;
  withTargetGroups: number;
  /** Share (0–1) of its activities with countries (or regions), pillars and target groups all filled; null without activities. */
  completeness: number | null;
  lastUpdate: string | null;
};

/** Each member organization's reporting completeness, over the activities the actor may read. */
export async function reportingCompleteness(ctx: DomainContext): Promise<ReportingCompleteness[]> {
  authorize(ctx.actor, 'coordination.read');
  return (await selectReportingCompleteness(ctx.db.kysely, readScopeOf(ctx.actor))).map((r) => ({
    organizationId: r.organization_id,
    slug: r.slug,
    acronym: r.acronym,
    activities: r.activities,
    withCountries: r.with_countries,
    withPillars: r.with_pillars,
    withTargetGroups: r.with_target_groups,
    completeness: r.activities > 0 ? Math.round((r.complete / r.activities) * 1000) / 1000 : null,
    lastUpdate: r.last_update ? new Date(r.last_update).toISOString() : null,
  }));
}

export type LargestGap = { country: string; countryLabel: string; pillar: string; pillarLabel: string; countryActivities: number; list: string };

/**
 * The largest gaps: pillars nobody works on in the countries where members are most active
 * (a country × pillar cell of kind `none`, ranked by the activity in that country).
 */
export function largestGaps(m: CoverageMatrix, limit = 10): LargestGap[] {
  const out: LargestGap[] = [];
  m.rows.values.forEach((r, i) => {
    m.cells[i]!.forEach((cell, j) => {
      if (cell.gap === 'none' && r.activities > 0) {
        const c = m.cols.values[j]!;
        out.push({ country: r.code, countryLabel: r.label, pillar: c.code, pillarLabel: c.label, countryActivities: r.activities, list: cell.list });
      }
    });
  });
  return out.sort((a, b) => b.countryActivities - a.countryActivities || a.countryLabel.localeCompare(b.countryLabel)).slice(0, limit);
}

export type CoordinationDashboard = {
  headline: { activities: number; organizations: number; countries: number; budget: number; currency: string; linkedRecordsMerged: number };
  map: WorldMap;
  matrix: CoverageMatrix;
  gaps: LargestGap[];
  candidates: { items: DuplicateCandidate[]; total: number; lastScan: string | null } | null;
  members: ReportingCompleteness[];
};

const MATRIX_ROWS = 12;

/**
 * What the coordinator opens every morning: headline figures (each linked group of records once),
 * the map, the country × pillar matrix of the most active countries, the largest gaps, new duplicate
 * candidates (for those who may decide on them) and each member's last update and completeness.
 */
export async function coordinationDashboard(ctx: DomainContext, input: unknown, opts: { lang?: string } = {}): Promise<CoordinationDashboard> {
  authorize(ctx.actor, 'coordination.read');
  const filters = analyticsFiltersSchema.parse(input ?? {});
  const map = await worldMap(ctx, input ?? {}, opts);
  const full = await coverageMatrix(ctx, { ...filters, rows: 'country', cols: 'pillar' }, opts);
  const byOrg = await coverageMatrix(ctx, { ...filters, rows: 'organization', measure: 'budget' }, { ...opts, cols: 'all' });
  const matrix: CoverageMatrix = { ...full, rows: { ...full.rows, values: full.rows.values.slice(0, MATRIX_ROWS) }, cells: full.cells.slice(0, MATRIX_ROWS) };
  let candidates: CoordinationDashboard['candidates'] = null;
  if (can(ctx.actor, 'coordination.duplicates.read')) {
    const c = await listDuplicateCandidates(ctx, { limit: 5, lang: opts.lang });
    candidates = { items: c.items, total: c.total, lastScan: c.lastScan?.finishedAt ?? null };
  }
  return {
    headline: {
      activities: full.total,
      organizations: byOrg.rows.values.filter((r) => r.activities > 0).length,
      countries: full.rows.values.filter((r) => r.activities > 0).length,
      budget: byOrg.totalBudget,
      currency: byOrg.currency,
      linkedRecordsMerged: full.linkedRecordsMerged,
    },
    map,
    matrix,
    gaps: largestGaps(full),
    candidates,
    members: await reportingCompleteness(ctx),
  };
}

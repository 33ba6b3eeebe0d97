import type { PgServer } from './postgres.ts';

export type Scale = 'small' | 'default' | 'large';

/**
 * `activities`: synthetic activities in the shared registry (lists, facets, exports);
 * `importCrashRows`: activities per file in the kill -9 rounds during imports;
 * `searchDocuments`: sizes of the search suite's synthetic library (`--search-docs` overrides, e.g. 10000,100000,1000000);
 * `iatiActivities`: the sizes of the IATI files the iati suite imports (10k and 50k at the large
 *   scale: at today's import rate a 50k file alone would take most of the default run's 30 minutes).
 */
type Sizes = { organizations: number; loadSeconds: number; iterations: number; crashRounds: number; importCrashRows: number; activities: number; searchDocuments: number[]; iatiActivities: number[] };
export const SCALES: Record<Scale, Sizes> = {
  small: { organizations: 200, loadSeconds: 3, iterations: 200, crashRounds: 2, importCrashRows: 100, activities: 5_000, searchDocuments: [2_000, 10_000], iatiActivities: [500, 1_000] },
  default: { organizations: 2_000, loadSeconds: 10, iterations: 1_000, crashRounds: 10, importCrashRows: 300, activities: 100_000, searchDocuments: [10_000, 100_000], iatiActivities: [2_000, 10_000] },
  large: { organizations: 20_000, loadSeconds: 20, iterations: 2_000, crashRounds: 10, importCrashRows: 1_000, activities: 300_000, searchDocuments: [10_000, 100_000, 1_000_000], iatiActivities: [10_000, 50_000] },
};

export type Backend = { name: 'pglite' | 'server'; pg?: PgServer };

/** One measured figure and the baseline measured beside it in the same run. */
export type Figure = {
  suite: string;
  backend: string;
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline (or baseline / value for throughput, so that 1.0 is "as fast as the baseline"). */
  ratio?: number;
  extra?: Record<string, number | string | boolean>;
};

export type SuiteContext = {
  scale: Scale;
  sizes: (typeof SCALES)[Scale];
  backend: Backend;
  log: (line: string) => void;
};

export type Suite = { name: string; description: string; run(ctx: SuiteContext): Promise<Figure[]> };

// `npm run bench [-- --scale small|default|large] [--backend pglite|server|both] [--only suite,suite] [--search-docs 10000,100000,1000000]`
// Runs every benchmark on the embedded database and on a PostgreSQL server started here,
// each figure beside a baseline from the same run, and writes bench/results/.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareDataset } from './lib/dataset.ts';
import { prepareRegistry } from './lib/registry.ts';
import { machineFacts } from './lib/machine.ts';
import { postgresAvailable, startPostgres } from './lib/postgres.ts';
import { writeReport, type BenchReport } from './lib/report.ts';
import { SCALES, type Backend, type Figure, type Scale, type SuiteContext } from './lib/types.ts';
import { activitiesSuite } from './suites/activities.ts';
import { coordinationSuite } from './suites/coordination.ts';
import { databaseSuite } from './suites/database.ts';
import { faultsSuite } from './suites/faults.ts';
import { httpSuite } from './suites/http.ts';
import { iatiSuite } from './suites/iati.ts';
import { reliabilitySuite } from './suites/reliability.ts';
import { searchSuite } from './suites/search.ts';
import { startupSuite } from './suites/startup.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'default' },
    backend: { type: 'string', default: 'both' },
    only: { type: 'string' },
    'search-docs': { type: 'string' },
  },
});
const scale = values.scale as Scale;
if (!(scale in SCALES)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
const only = values.only ? new Set(values.only.split(',')) : undefined;
const searchDocs = values['search-docs'] ? values['search-docs'].split(',').map((n) => Number(n)) : undefined;
if (searchDocs?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--search-docs must be whole numbers, e.g. 10000,100000,1000000');
const wanted = (suite: string) => !only || only.has(suite);
const log = (line: string) => process.stdout.write(`${line}\n`);

const started = performance.now();
const machine = machineFacts();
const loadSamples: number[] = [os.loadavg()[0]!];
const sampler = setInterval(() => loadSamples.push(os.loadavg()[0]!), 15_000);
sampler.unref();
const notes: string[] = [];
const figures: Figure[] = [];
const timings: BenchReport['timings'] = [];
/** Suites that read the shared registry dataset. */
const REGISTRY_SUITES = ['activities', 'coordination'];
const backends: Backend[] = [];
if (values.backend === 'pglite' || values.backend === 'both') backends.push({ name: 'pglite' });
let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
if (values.backend === 'server' || values.backend === 'both') {
  if (postgresAvailable()) {
    pg = await startPostgres();
    backends.push({ name: 'server', pg });
  } else {
    notes.push('PostgreSQL 15 is not installed here: server figures were not measured (apt-get install -y postgresql).');
  }
}

log(`ICAT Platform benchmarks — scale ${scale}, ${machine.cores} cores, ${machine.cpuModel}, git ${machine.gitRevision}`);
/** Runs one suite if it was asked for, and notes how long it took. */
async function run(suite: string, backend: Backend, body: () => Promise<Figure[]>): Promise<void> {
  if (!wanted(suite)) return;
  const t = performance.now();
  figures.push(...(await body()));
  timings.push({ suite, backend: backend.name, seconds: Math.round((performance.now() - t) / 100) / 10 });
  writeReport(path.resolve(import.meta.dirname, 'results'), report(false));
}

try {
  for (const backend of backends) {
    const ctx: SuiteContext = { scale, sizes: SCALES[scale], backend, log };
    log(`\n[${backend.name}]`);
    await run('startup', backend, () => startupSuite(ctx));
    if (['database', 'http', 'reliability', 'faults'].some(wanted)) {
      const dataset = await prepareDataset(backend, ctx.sizes.organizations, log);
      try {
        await run('database', backend, () => databaseSuite(ctx, dataset));
        await run('http', backend, () => httpSuite(ctx, dataset));
        await run('reliability', backend, () => reliabilitySuite(ctx, dataset));
        await run('faults', backend, () => faultsSuite(ctx, dataset));
      } finally {
        await dataset.dispose();
      }
    }
    // IATI import of generated files, each into a fresh database, against xmllint on the same file.
    await run('iati', backend, () => iatiSuite(ctx));
    // The registry at scale, loaded once and read by every suite that needs activities.
    if (REGISTRY_SUITES.some(wanted)) {
      const t = performance.now();
      const registry = await prepareRegistry(ctx);
      timings.push({ suite: 'registry load', backend: backend.name, seconds: Math.round((performance.now() - t) / 100) / 10 });
      try {
        await run('activities', backend, () => activitiesSuite(ctx, registry));
        await run('coordination', backend, () => coordinationSuite(ctx, registry));
      } finally {
        await registry.dataset.dispose();
      }
    }
    // The search service over a synthetic mixed-language library of its own, at each size.
    await run('search', backend, () => searchSuite(ctx, { sizes: searchDocs }));
  }
} finally {
  pg?.stop();
}

/** The report so far; written after every suite, so a run stopped part-way keeps what it measured. */
function report(complete: boolean): BenchReport {
  return {
    machine,
    scale,
    backends: backends.map((b) => ({ name: b.name, version: b.pg?.version })),
    durationSeconds: (performance.now() - started) / 1000,
    load: {
      mean: Math.round((loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length) * 100) / 100,
      max: Math.round(Math.max(...loadSamples) * 100) / 100,
      end: Math.round(os.loadavg()[0]! * 100) / 100,
    },
    timings,
    figures,
    notes: complete ? notes : [...notes, 'Partial: the run had not finished when this was written.'],
  };
}
const out = writeReport(path.resolve(import.meta.dirname, 'results'), report(true));
log(`\nResults: ${out.md}`);

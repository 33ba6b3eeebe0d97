import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { createOrganization } from '../../src/domain/organizations/organizations.ts';
import { prepareDataset } from '../lib/dataset.ts';
import { copyFloor } from '../lib/copy-floor.ts';
import { writeHostileFiles } from '../lib/hostile-xml.ts';
import { BENCH_PUBLISHER, writeIatiFile } from '../lib/iati-generator.ts';
import { round } from '../lib/stats.ts';
import { runJsonChild } from '../lib/processes.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';

/**
 * IATI import at scale: for each size (2k and 10k activities at the default scale, 10k and 50k at the large one) a realistic
 * IATI 2.03 file (bench/lib/iati-generator.ts, about 6 KB an activity) is imported into a fresh
 * database in a child process — activities/s, MB/s and peak RSS — with the standard ruleset
 * loaded when the shared data is at hand. The baseline, on the same file in the same run, is
 * `xmllint --stream --noout`: a streaming parse in C that checks well-formedness and nothing else.
 * On the server, a second figure bounds what any importer writing the same rows could reach: the
 * database floor (bench/lib/copy-floor.ts), the import's own rows copied back into the same
 * tables by binary COPY in one transaction, with no parsing, mapping or validation at all.
 */

const root = path.resolve(import.meta.dirname, '../..');
const files = new Map<number, { file: string; bytes: number }>();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-bench-iati-'));
process.once('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const RULESET = path.resolve(process.env.ICAT_SHARED_DATA ?? path.join(root, '../shared/data'), 'iati-rulesets/rulesets/standard.json');

async function benchFile(count: number, log: (s: string) => void): Promise<{ file: string; bytes: number }> {
  let f = files.get(count);
  if (!f) {
    const file = path.join(tmp, `iati-${count}.xml`);
    const t = performance.now();
    const bytes = await writeIatiFile(file, count);
    log(`  generated ${count} activities: ${round(bytes / 1048576, 1)} MB in ${Math.round(performance.now() - t)} ms`);
    f = { file, bytes };
    files.set(count, f);
  }
  return f;
}

type ChildResult = { ms: number; activities: number; counts: Record<string, number>; messages: number; refused: string | null; peakRssMB: number; startRssMB: number };

const importInChild = (file: string, env: Record<string, string>, ruleset: string | undefined) =>
  runJsonChild<ChildResult>('iati-child.ts', [file, ...(ruleset ? [ruleset] : [])], env);

/**
 * xmllint's streaming parse of the file: seconds, or undefined when xmllint is not installed
 * (or, unless `failing` is set, when it finds the file bad).
 */
function xmllintSeconds(file: string, failing = false): number | undefined {
  const t = performance.now();
  const r = spawnSync('xmllint', ['--stream', '--noout', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error || (r.status !== 0 && !failing)) return undefined;
  return (performance.now() - t) / 1000;
}

export async function iatiSuite(ctx: SuiteContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  const backend = ctx.backend.name;
  const ruleset = fs.existsSync(RULESET) ? RULESET : undefined;
  if (!ruleset) ctx.log(`  (the standard ruleset is not at ${RULESET}: imports run without it)`);
  for (const count of ctx.sizes.iatiActivities) {
    const { file, bytes } = await benchFile(count, ctx.log);
    const mb = bytes / 1048576;
    const dataset = await prepareDataset(ctx.backend, 5, () => undefined);
    try {
      const db = await dataset.open();
      try {
        const config = loadConfig({ ...dataset.env, LOG_LEVEL: 'silent' });
        await createOrganization({ db, config, actor: systemActor }, { kind: 'member', acronym: 'BENCH', orgType: 'un_entity', name: { en: 'Bench publisher' }, iatiRef: BENCH_PUBLISHER });
      } finally {
        await db.close();
      }
      const lint = xmllintSeconds(file);
      const r = await importInChild(file, dataset.env, ruleset);
      if (r.refused) throw new Error(`The generated file was refused: ${r.refused}`);
      const seconds = r.ms / 1000;
      const rate = r.activities / seconds;
      const lintRate = lint ? count / lint : undefined;
      ctx.log(
        `  import ${count}: ${round(rate, 0)} activities/s, ${round(mb / seconds, 2)} MB/s, peak RSS ${round(r.peakRssMB, 0)} MB` +
          (lint ? ` — xmllint --stream ${round(lintRate!, 0)} activities/s, ${round(mb / lint, 1)} MB/s` : ' — xmllint not installed'),
      );
      const extra = { activities: r.activities, created: r.counts.created ?? 0, failed: r.counts.failed ?? 0, fileMB: round(mb, 1), seconds: round(seconds, 1), rules: !!ruleset, messages: r.messages };
      figures.push({
        suite: 'iati',
        backend,
        name: `import ${count} activities (activities/s)`,
        value: round(rate, 1),
        unit: 'activities/s',
        ...(lintRate && { baseline: { name: 'xmllint --stream --noout, same file', value: round(lintRate, 1), unit: 'activities/s' }, ratio: round(lintRate / rate, 2) }),
        extra,
      });
      figures.push({
        suite: 'iati',
        backend,
        name: `import ${count} activities (MB/s)`,
        value: round(mb / seconds, 3),
        unit: 'MB/s',
        ...(lint && { baseline: { name: 'xmllint --stream --noout, same file', value: round(mb / lint, 2), unit: 'MB/s' }, ratio: round(mb / lint / (mb / seconds), 2) }),
      });
      figures.push({ suite: 'iati', backend, name: `import ${count} activities: peak RSS`, value: round(r.peakRssMB, 0), unit: 'MB', extra: { startRssMB: round(r.startRssMB, 0), goalMB: 400 } });
      if (ctx.backend.name === 'server') {
        // What storage alone costs: the same rows copied back into the same tables (bench/lib/copy-floor.ts).
        const floor = copyFloor(dataset.env.DATABASE_URL!);
        const floorRate = r.activities / floor.seconds;
        ctx.log(`    database floor: the same rows by binary COPY in ${round(floor.seconds, 1)} s, ${round(floorRate, 0)} activities/s (${floor.rows} rows, ${round(floor.megabytes, 1)} MB)`);
        figures.push({
          suite: 'iati',
          backend,
          name: `import ${count} activities: database floor, its rows copied back in (activities/s)`,
          value: round(floorRate, 1),
          unit: 'activities/s',
          ...(lintRate && { baseline: { name: 'xmllint --stream --noout, same file', value: round(lintRate, 1), unit: 'activities/s' }, ratio: round(lintRate / floorRate, 2) }),
          extra: { seconds: round(floor.seconds, 2), rows: floor.rows, megabytes: round(floor.megabytes, 1), importRate: round(rate, 1), importOverFloor: round(floor.seconds / seconds, 2) },
        });
      }
    } finally {
      await dataset.dispose();
    }
  }
  figures.push(...(await hostileFigures(ctx)));
  return figures;
}

/** Hostile files (bench/lib/hostile-xml.ts): time to refuse and memory it took, beside xmllint on the same file. */
async function hostileFigures(ctx: SuiteContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dataset = await prepareDataset(ctx.backend, 1, () => undefined);
  try {
    for (const h of writeHostileFiles(tmp)) {
      const lint = xmllintSeconds(h.file, true);
      const r = await importInChild(h.file, dataset.env, undefined);
      if (!r.refused) throw new Error(`The ${h.name} was not refused`);
      const grewMB = Math.max(0, r.peakRssMB - r.startRssMB);
      ctx.log(`  ${h.name}: refused in ${round(r.ms, 1)} ms, memory grew ${round(grewMB, 1)} MB — xmllint --stream ${lint === undefined ? 'not installed' : `${round(lint * 1000, 1)} ms`}`);
      figures.push({
        suite: 'iati',
        backend: ctx.backend.name,
        name: `hostile file refused: ${h.name}`,
        value: round(r.ms, 1),
        unit: 'ms',
        ...(lint !== undefined && { baseline: { name: 'xmllint --stream --noout, same file', value: round(lint * 1000, 1), unit: 'ms' }, ratio: round(r.ms / (lint * 1000), 2) }),
        extra: { refusal: r.refused, memoryGrewMB: round(grewMB, 1), goalMs: 1000 },
      });
    }
  } finally {
    await dataset.dispose();
  }
  return figures;
}

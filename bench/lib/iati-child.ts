// A child process for the IATI suite: imports one IATI file into the configured database (with
// the standard ruleset when one is given), as `icat import iati` does (in a heap-capped worker on a
// server), and prints its time, counts and peak resident memory.
// `node --import tsx bench/lib/iati-child.ts <file> [ruleset.json]` with DATA_DIR / DATABASE_URL set.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { openConfiguredDatabase } from '../../src/db/open-from-config.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { loadIatiRuleset } from '../../src/domain/iati/iati-ruleset.ts';
import { importIatiFileBounded } from '../../src/domain/iati/import-bounded.ts';
import { syncReferenceData } from '../../src/domain/reference/sync-reference-data.ts';

const [file, ruleset] = process.argv.slice(2) as [string, string | undefined];
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
const db = await openConfiguredDatabase(config);
const ctx = { db, config, actor: systemActor };
await syncReferenceData(ctx);
if (ruleset) await loadIatiRuleset(ctx, JSON.parse(fs.readFileSync(ruleset, 'utf8')), path.basename(ruleset));
const startRss = process.memoryUsage().rss;
let peak = startRss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const started = performance.now();
const report = await importIatiFileBounded(ctx, { path: file, fileName: path.basename(file) });
const ms = performance.now() - started;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await db.close();
process.stdout.write(`${JSON.stringify({ ms, activities: report.activities, counts: report.counts, messages: report.messageCount, refused: report.refused?.message ?? null, peakRssMB: peak / 1048576, startRssMB: startRss / 1048576 })}\n`);

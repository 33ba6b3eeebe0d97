// A child process for the coordination suite: runs one full duplicate scan (or the raw baseline
// that only reads the same rows) and prints its time and peak resident memory as JSON.
// `node --import tsx bench/lib/scan-child.ts scan|raw` with DATA_DIR / DATABASE_URL set.
import { loadConfig } from '../../src/config/config.ts';
import { selectScanBatch } from '../../src/db/queries/coordination.ts';
import { openConfiguredDatabase } from '../../src/db/open-from-config.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { scanDuplicates } from '../../src/domain/coordination/duplicates.ts';

const mode = process.argv[2] as 'scan' | 'raw';
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
const db = await openConfiguredDatabase(config);
const startRss = process.memoryUsage().rss;
let peak = startRss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);

const started = performance.now();
let result: Record<string, number | string>;
if (mode === 'raw') {
  // The baseline: the same rows read in the same keyset batches, with nothing computed.
  let after: string | null = null;
  let rows = 0;
  for (;;) {
    const batch = await selectScanBatch(db.kysely, after, 5000);
    if (batch.length === 0) break;
    rows += batch.length;
    after = batch.at(-1)!.id;
    if (batch.length < 5000) break;
  }
  result = { activities: rows };
} else {
  result = await scanDuplicates({ db, config, actor: systemActor });
}
const ms = performance.now() - started;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await db.close();
process.stdout.write(`${JSON.stringify({ mode, ms, peakRssMB: peak / 1048576, startRssMB: startRss / 1048576, ...result })}\n`);

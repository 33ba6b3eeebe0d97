// A child process for the activities suite: runs one export (or the raw baseline) of every
// activity, discards the bytes, and prints its time, size and peak resident memory as JSON.
// `node --import tsx bench/lib/export-child.ts csv|xlsx|raw` with DATA_DIR / DATABASE_URL set.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/config.ts';
import { openConfiguredDatabase } from '../../src/db/open-from-config.ts';
import { parseActivityFilters } from '../../src/domain/activities/activity-filters.ts';
import { exportActivities } from '../../src/domain/activities/export-activities.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { csvField } from '../../src/lib/spreadsheet-cells.ts';

const mode = process.argv[2] as 'csv' | 'xlsx' | 'raw';
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
const db = await openConfiguredDatabase(config);
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const startRss = process.memoryUsage().rss;
let bytes = 0;
let rows = 0;
const sink = () =>
  new Writable({
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done();
    },
  });

const started = performance.now();
if (mode === 'raw') {
  // The baseline: the same rows read straight from SQL in keyset batches and written as CSV,
  // with no domain mapping, labels or XLSX.
  const out = sink();
  let after = '';
  for (;;) {
    const r = await sql<Record<string, unknown>>`
      select a.id, a.iati_identifier, a.title::text, a.description::text, a.status, a.planned_start, a.planned_end, a.actual_start, a.actual_end, a.visibility,
             a.pillars::text, a.exploitation_forms::text, a.target_groups::text, a.contexts::text, a.sdg_targets::text,
             (select string_agg(c.country_code || ':' || coalesce(c.percentage::text, ''), '|') from activity_countries c where c.activity_id = a.id) as countries,
             (select string_agg(p.role || ':' || coalesce(p.organization_id, ''), '|') from activity_participants p where p.activity_id = a.id) as participants,
             (select string_agg(s.code, '|') from activity_sectors s where s.activity_id = a.id) as sectors,
             (select string_agg(b.value::text, '|') from activity_budgets b where b.activity_id = a.id) as budgets,
             (select string_agg(l.name::text, '|') from activity_locations l where l.activity_id = a.id) as locations
        from activities a where a.deleted_at is null and a.id > ${after} order by a.id limit 1000`.execute(db.kysely);
    if (r.rows.length === 0) break;
    const text = r.rows.map((row) => `${Object.values(row).map((v) => csvField(v === null || v === undefined ? '' : String(v))).join(',')}\r\n`).join('');
    if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
    rows += r.rows.length;
    after = String(r.rows.at(-1)!.id);
  }
  out.end();
} else {
  const ctx = { db, config, actor: systemActor };
  const file = await exportActivities(ctx, parseActivityFilters({}), mode, { lang: 'en' });
  await pipeline(file.stream, sink());
  rows = Number((await sql<{ n: number }>`select count(*)::int as n from activities where deleted_at is null`.execute(db.kysely)).rows[0]!.n);
}
const ms = performance.now() - started;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await db.close();
process.stdout.write(`${JSON.stringify({ mode, ms, bytes, rows, peakRssMB: peak / 1048576, startRssMB: startRss / 1048576 })}\n`);

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Dataset } from '../lib/dataset.ts';
import { round } from '../lib/stats.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';

/**
 * kill -9 during imports, N rounds on the back end, alternating between the two importers:
 *
 * - a spreadsheet import commits every row in ONE transaction, so after the kill the file's
 *   activities are all there or none of them is; run again, all are;
 * - an IATI import commits in batches, so after the kill every activity stored from the file is
 *   whole (its countries, sectors, list row and first version); run again, every activity of
 *   the file is there once, whole, with no second version.
 *
 * The kill lands at a random point of the run, chosen from the progress the importer prints.
 */

const root = path.resolve(import.meta.dirname, '../..');

type Run = { code: number | null; killed: boolean; output: string };

/** Runs `icat import …`; kills it with SIGKILL once `killWhen` says so on a line of its progress. */
function runImport(args: string[], env: Record<string, string>, killWhen?: (line: string) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/icat.js'), 'import', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let killed = false;
    const onData = (d: Buffer) => {
      output = (output + d.toString()).slice(-20_000);
      if (killWhen && !killed) {
        for (const line of d.toString().split('\n')) {
          if (killWhen(line)) {
            killed = true;
            child.kill('SIGKILL');
            break;
          }
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, killed: killed && signal === 'SIGKILL', output }));
  });
}

type Census = { activities: number; whole: number; maxVersion: number };

/** The activities whose identifier starts with `prefix`, and how many of them are whole. */
async function census(dataset: Dataset, prefix: string, countries: number): Promise<Census> {
  const db = await dataset.open();
  try {
    const r = await sql<{ activities: number; whole: number; max_version: number | null }>`
      with a as (select id from activities where iati_identifier like ${`${prefix}%`})
      select (select count(*)::int from a) as activities,
             (select count(*)::int from a
               where (select count(*) from activity_countries c where c.activity_id = a.id) = ${countries}
                 and (select count(*) from activity_sectors s where s.activity_id = a.id) = 1
                 and exists (select 1 from activity_list_rows l where l.id = a.id and cardinality(l.country_codes) = ${countries})
                 and exists (select 1 from activity_versions v where v.activity_id = a.id)) as whole,
             (select max(v.version)::int from activity_versions v join a on a.id = v.activity_id) as max_version`.execute(db.kysely);
    const row = r.rows[0]!;
    return { activities: row.activities, whole: row.whole, maxVersion: row.max_version ?? 0 };
  } finally {
    await db.close();
  }
}

function spreadsheet(file: string, prefix: string, owner: string, rows: number): void {
  const lines = ['iati_identifier,owner_org_id,title_en,title_fr,visibility,status,planned_start,country_code,country_percentage,sector_vocabulary,sector_code,sector_percentage,pillar_code'];
  for (let i = 0; i < rows; i++) {
    lines.push(`${prefix}${i},${owner},Crash-test activity ${i},Activité d'essai ${i},public,2,2024-01-01,KE | UG,50 | 50,1,15180,100,protection`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

function iatiFile(file: string, prefix: string, rows: number): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" xml:lang="en">\n');
  for (let i = 0; i < rows; i++) {
    fs.writeSync(
      fd,
      `<iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD"><iati-identifier>${prefix}${i}</iati-identifier>
<reporting-org ref="XM-CRASH-UNREGISTERED" type="40"><narrative>Crash test</narrative></reporting-org>
<title><narrative>Crash-test activity ${i}</narrative><narrative xml:lang="fr">Activité d'essai ${i}</narrative></title>
<description><narrative>${'Support to survivors of trafficking. '.repeat(10)}</narrative></description>
<participating-org role="4" ref="XM-CRASH-UNREGISTERED"><narrative>Crash test</narrative></participating-org>
<activity-status code="2"/><activity-date type="1" iso-date="2023-01-01"/>
<recipient-country code="KE" percentage="50"/><recipient-country code="UG" percentage="50"/><sector vocabulary="1" code="15180" percentage="100"/>
<transaction><transaction-type code="3"/><transaction-date iso-date="2023-03-01"/><value value-date="2023-03-01">${i + 1}</value></transaction>
</iati-activity>\n`,
    );
  }
  fs.writeSync(fd, '</iati-activities>\n');
  fs.closeSync(fd);
}

export async function importCrashRounds(ctx: SuiteContext, dataset: Dataset, random: () => number): Promise<Figure[]> {
  const rows = ctx.sizes.importCrashRows;
  const rounds = ctx.sizes.crashRounds;
  const backend = ctx.backend.name;
  const db = await dataset.open();
  let owner: string;
  try {
    owner = (await db.kysely.selectFrom('organizations').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  } finally {
    await db.close();
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-bench-import-crash-'));
  const figures: Figure[] = [];
  try {
    // The rounds alternate between the two importers: `rounds` kills during an import in all.
    const kinds = ['spreadsheet', 'iati'] as const;
    const stats = new Map(kinds.map((k) => [k, { rounds: 0, halfApplied: 0, notWholeAfterRerun: 0, killedMidway: 0, storedAtKill: [] as number[], seconds: 0 }]));
    for (let r = 0; r < rounds; r++) {
      const kind = kinds[r % 2]!;
      const st = stats.get(kind)!;
      st.rounds++;
      const started = performance.now();
      const prefix = `XM-CRASH-${backend}-${kind}-${process.pid}-${r}-`;
      const file = path.join(tmp, `${kind}-${r}.${kind === 'iati' ? 'xml' : 'csv'}`);
      // The import alone: no duplicate scan after it.
      const args = kind === 'iati' ? ['iati', file, '--owner', owner, '--no-scan'] : ['spreadsheet', file, '--commit', '--no-scan'];
      if (kind === 'iati') iatiFile(file, prefix, rows);
      else spreadsheet(file, prefix, owner, rows);
      // Kill at a random tenth of the progress the importer prints (1 to 10: the last one is the commit's edge).
      const tenth = 1 + Math.floor(random() * 10);
      const killWhen =
        kind === 'iati'
          ? (line: string) => {
              const m = /: (\d+)% — (\d+) activities/.exec(line);
              return m !== null && Number(m[1]) >= tenth * 10;
            }
          : (line: string) => {
              const m = /imported (\d+)\/(\d+) rows/.exec(line);
              return m !== null && Number(m[1]) >= (Number(m[2]) * tenth) / 10;
            };
      const first = await runImport(args, dataset.env, killWhen);
      if (first.killed) st.killedMidway++;
      else if (first.code !== 0) throw new Error(`${kind} import (round ${r + 1}) failed before the kill: ${first.output}`);
      const atKill = await census(dataset, prefix, 2);
      st.storedAtKill.push(atKill.activities);
      const broken = kind === 'spreadsheet' ? atKill.activities !== 0 && atKill.activities !== rows : atKill.whole !== atKill.activities;
      if (broken || atKill.whole !== atKill.activities) st.halfApplied++;
      const again = await runImport(args, dataset.env);
      if (again.code !== 0) throw new Error(`${kind} import (round ${r + 1}) failed when run again: ${again.output}`);
      const after = await census(dataset, prefix, 2);
      if (after.activities !== rows || after.whole !== rows || after.maxVersion !== 1) st.notWholeAfterRerun++;
      st.seconds += (performance.now() - started) / 1000;
      ctx.log(
        `  ${kind} import, crash round ${r + 1}: ${first.killed ? `killed at ${tenth * 10}% of the progress` : 'finished before the kill'}, ${atKill.activities}/${rows} stored (${atKill.whole} whole); after the re-run ${after.activities}/${rows} (${after.whole} whole, max version ${after.maxVersion})`,
      );
    }
    for (const kind of kinds) {
      const st = stats.get(kind)!;
      if (st.rounds === 0) continue;
      figures.push({
        suite: 'reliability',
        backend,
        name: `kill -9 during ${kind === 'iati' ? 'an IATI import (batched commits)' : 'a spreadsheet import (one transaction)'} (${st.rounds} of ${rounds} import rounds): rounds left half-applied or not whole after re-running`,
        value: st.halfApplied + st.notWholeAfterRerun,
        unit: 'rounds',
        baseline: { name: 'rounds run', value: st.rounds, unit: 'rounds' },
        ratio: round((st.halfApplied + st.notWholeAfterRerun) / st.rounds, 2),
        extra: { activitiesPerFile: rows, killedMidway: st.killedMidway, halfApplied: st.halfApplied, notWholeAfterRerun: st.notWholeAfterRerun, storedAtKill: st.storedAtKill.join(' '), secondsPerRound: round(st.seconds / st.rounds, 1) },
      });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return figures;
}

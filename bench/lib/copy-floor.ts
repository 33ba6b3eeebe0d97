import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGBIN } from './postgres.ts';

/**
 * The database floor of an import: the rows an IATI import wrote (activities, their child rows,
 * versions and audit entries), copied out and copied back into the same tables — same indexes,
 * same constraints — by binary COPY in one transaction, the list rows rebuilt as the importer does.
 * No parsing, mapping, validation or round trips: what the storage alone costs for these rows on
 * this machine. An importer cannot be faster than this figure while it writes what it writes.
 */

const TABLES = ['activities', 'activity_participants', 'activity_countries', 'activity_regions', 'activity_locations', 'activity_sectors', 'activity_budgets', 'activity_related', 'activity_versions'];

const psql = (url: string, args: string[]) => execFileSync(path.join(PGBIN, 'psql'), [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

export type CopyFloor = { seconds: number; rows: number; megabytes: number };

export function copyFloor(databaseUrl: string): CopyFloor {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-bench-floor-'));
  try {
    const files = new Map<string, string>();
    const copies: [string, string][] = [...TABLES.map((t) => [t, t] as [string, string]), ['audit_log', `(select * from audit_log where record_type = 'activity')`]];
    let rows = 0;
    for (const [table, source] of copies) {
      const file = path.join(dir, `${table}.bin`);
      const out = psql(databaseUrl, ['-c', `\\copy ${source} to '${file}' with (format binary)`, '-c', `select count(*) from ${source === table ? table : `${source} s`}`, '-At']);
      rows += Number(out.trim().split('\n').pop());
      files.set(table, file);
    }
    const megabytes = [...files.values()].reduce((n, f) => n + fs.statSync(f).size, 0) / 1048576;
    // Statistics of the full tables first, as a database holding these rows has them: with the
    // statistics of empty tables the list rows' rebuild plans as if for none, and takes 4 s, not 1.
    psql(databaseUrl, ['-c', 'analyze', '-c', `delete from audit_log where record_type = 'activity'`, '-c', `truncate ${TABLES.join(', ')}, activity_list_rows cascade`]);
    const script = path.join(dir, 'load.sql');
    fs.writeFileSync(
      script,
      [
        'begin;',
        `select set_config('icat.list_rows', 'batch', true);`,
        ...[...files].map(([table, file]) => `\\copy ${table} from '${file}' with (format binary)`),
        'select activity_list_rebuild(array(select id from activities)) is null;',
        'commit;',
        '',
      ].join('\n'),
    );
    const t = performance.now();
    psql(databaseUrl, ['-f', script]);
    return { seconds: (performance.now() - t) / 1000, rows, megabytes };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

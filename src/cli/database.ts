import path from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { createBackup, restoreFromBackup } from '../domain/backups/backups.ts';
import { seedOnFirstStart } from '../seed/first-start.ts';
import { seedDemoActivities } from '../seed/seed-demo-activities.ts';
import { seedDemoPublications } from '../seed/seed-demo-publications.ts';
import { tableProgress } from './progress.ts';
import { note, out, withDatabase } from './runtime.ts';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** migrate, seed, backup and restore: the installation's database. */
export function registerDatabaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and print the migration level')
    .action(async (_opts, cmd: Command) => {
      await withDatabase(cmd, async ({ migrations, db }) => {
        out(migrations.applied.length > 0 ? `Applied: ${migrations.applied.join(', ')}` : 'Nothing to apply: the database is up to date.');
        out(`Migration level: ${migrations.level ?? '(none)'} (${db.kind === 'pglite' ? 'embedded database' : 'PostgreSQL server'})`);
      }, { quiet: true });
    });

  program
    .command('seed')
    .description('create the demo organizations and accounts in an empty database (does nothing otherwise)')
    .action(async (_opts, cmd: Command) => {
      await withDatabase(cmd, async ({ db, config }) => {
        const lines = await seedOnFirstStart({ db, config, logger: pino({ level: 'silent' }) });
        const activities = await seedDemoActivities({ db, config, logger: pino({ level: 'silent' }) });
        if (activities && activities.created > 0) lines.push(`Demo activities created: ${activities.created} (fictional, written for the demo).`);
        const publications = await seedDemoPublications({ db, config, logger: pino({ level: 'silent' }) });
        if (publications) lines.push(`Library: ${publications} ICAT publications added.`);
        out(lines.length > 0 ? lines.join('\n') : 'Nothing to do: the database already has content (or was seeded before).');
      });
    });

  program
    .command('backup')
    .argument('<file>', 'where to write the backup (gzip’d NDJSON, e.g. icat-2025-01-31.ndjson.gz)')
    .description('write a consistent snapshot of the whole database and the stored files (logos, documents) to a file')
    .action(async (file: string, _opts, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        const progress = tableProgress();
        try {
          const summary = await createBackup(ctx, { file }, { onProgress: progress.update });
          progress.stop();
          const rows = summary.header.tables.reduce((n, t) => n + t.rows, 0);
          out(
            `Backup written: ${summary.file} (${rows} rows in ${summary.header.tables.length} tables and ${summary.files} stored files, ${kb(summary.bytes)}, ` +
              `migration level ${summary.header.migrationLevel ?? '(none)'}).`,
          );
        } finally {
          progress.stop();
        }
      });
    });

  program
    .command('restore')
    .argument('<file>', 'a file written by icat backup')
    .option('--yes', 'replace a database that already holds data')
    .description('replace the whole database with a backup, after checking its checksum and migration level')
    .action(async (file: string, opts: { yes?: boolean }, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx, db }) => {
        note(`Checking ${path.basename(file)}…`);
        const progress = tableProgress();
        try {
          const summary = await restoreFromBackup(ctx, { file, replaceExisting: opts.yes === true }, { onProgress: progress.update });
          progress.stop();
          const rows = summary.tables.reduce((n, t) => n + t.rows, 0);
          out(
            `Restored ${rows} rows in ${summary.tables.length} tables${summary.files === null ? '' : ` and ${summary.files} stored files`} from ${path.basename(file)} ` +
              `(taken ${summary.header.createdAt} on the ${summary.header.backend === 'pglite' ? 'embedded database' : 'PostgreSQL server'}) ` +
              `into the ${db.kind === 'pglite' ? 'embedded database' : 'PostgreSQL server'}.`,
          );
        } finally {
          progress.stop();
        }
      });
    });
}

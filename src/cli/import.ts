import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { commitFile, dryRunFile, type ImportReport } from '../domain/activities/import-spreadsheet.ts';
import { systemActor } from '../domain/actor.ts';
import { runScanWithProgress } from './coordination.ts';
import { CliError, EXIT, note, out, printTable, withDatabase } from './runtime.ts';

/** The `import` command group, shared by the importers (made once, whoever registers first). */
export function importCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'import') ?? program.command('import').description('import activities from files');
}

function printReport(report: ImportReport): void {
  const c = report.counts;
  out(`${report.fileName} (${report.format.toUpperCase()}): ${report.rows} rows — ${c.create} new, ${c.update} to update, ${c.unchanged} unchanged, ${c.blocked} blocked, ${c.warnings} warnings` + (c.emptyRowsSkipped > 0 ? `, ${c.emptyRowsSkipped} empty rows skipped` : '') + '.');
  if (report.messages.length > 0) {
    printTable(
      ['row', 'column', 'severity', 'message'],
      report.messages.map((m) => [m.row === null ? '-' : String(m.row), m.column ?? '-', m.severity, m.hint ? `${m.message} ${m.hint}` : m.message]),
    );
    if (report.messageCount > report.messages.length) out(`… and ${report.messageCount - report.messages.length} more messages.`);
  }
}

/** A progress bar on a terminal, one line per tenth otherwise; on standard error. */
function rowProgress(): { update(done: number, total: number): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ stream: process.stderr, format: ' importing [{bar}] {value}/{total} rows', barsize: 30, hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update(done, total) {
        if (!started) bar.start(Math.max(total, 1), 0);
        started = true;
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  let last = -1;
  return {
    update(done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth !== last) note(`  imported ${done}/${total} rows`);
      last = tenth;
    },
    stop() {},
  };
}

/** `icat import spreadsheet <file> [--commit]`: a dry run by default; with --commit, all rows in one transaction. */
export function registerImportCommands(program: Command): void {
  importCommand(program)
    .command('spreadsheet')
    .argument('<file>', 'a CSV (UTF-8) or XLSX file with the columns of the template (see /activities/import)')
    .option('--commit', 'save the rows (all or none); without it, only check the file')
    .option('--no-scan', 'do not run the duplicate scan after a committed import')
    .description('check a spreadsheet of activities (dry run), or import it with --commit; use --as <email> to import as a person')
    .action(async (file: string, opts: { commit?: boolean; scan: boolean }, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        const name = path.basename(file);
        if (!opts.commit) {
          const report = await dryRunFile(ctx, file, name);
          printReport(report);
          if (!report.committable) throw new CliError('The file cannot be imported as it is; nothing was saved.', EXIT.invalid);
          out('Nothing was saved. Run again with --commit to import.');
          return;
        }
        const progress = rowProgress();
        try {
          const result = await commitFile(ctx, file, name, { onProgress: (p) => progress.update(p.done, p.total) });
          progress.stop();
          printReport(result.report);
          out(`Imported ${result.rows} rows: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged.`);
          // The import is saved and reported; the scan runs after it, as the server does in the background.
          if (opts.scan && result.created + result.updated > 0) await runScanWithProgress({ ...ctx, actor: systemActor });
        } finally {
          progress.stop();
        }
      });
    });
}

import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { importIatiFileBounded } from '../domain/iati/import-bounded.ts';
import { type IatiImportProgress, type IatiImportReport, type IatiOutcome } from '../domain/iati/import-iati.ts';
import { systemActor } from '../domain/actor.ts';
import { runScanWithProgress } from './coordination.ts';
import { CliError, EXIT, note, out, printTable, withDatabase } from './runtime.ts';

const OUTCOMES: IatiOutcome[] = ['created', 'updated', 'unchanged', 'skipped', 'failed'];

/** A byte-based bar on a terminal; a line per tenth of the file otherwise (logs and CI); on standard error. */
function fileProgress(name: string): { update(p: IatiImportProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: ' {file} [{bar}] {percentage}% {activities} activities ({created} new, {updated} updated, {failed} failed)', barsize: 30, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) bar.start(Math.max(p.totalBytes, 1), 0, { file: name, activities: 0, created: 0, updated: 0, failed: 0 });
        started = true;
        bar.update(p.bytesRead, { activities: p.activities, ...p.counts });
      },
      stop: () => bar.stop(),
    };
  }
  let tenth = -1;
  return {
    update(p) {
      const t = Math.floor((10 * p.bytesRead) / Math.max(p.totalBytes, 1));
      if (t === tenth) return;
      tenth = t;
      note(`  ${name}: ${Math.min(100, t * 10)}% — ${p.activities} activities`);
    },
    stop() {},
  };
}

function printReport(r: IatiImportReport): void {
  const c = r.counts;
  out(`${r.fileName}: ${r.activities} activities — ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed.`);
  if (r.refused) out(`Refused: ${r.refused.message}`);
  const shown = r.messages.filter((m) => m.severity !== 'warning' || r.messages.length <= 200).slice(0, 200);
  if (shown.length > 0) {
    printTable(
      ['activity', 'line', 'severity', 'message'],
      shown.map((m) => [m.identifier ?? (m.activity === null ? '(file)' : `#${m.activity + 1}`), m.line === null ? '-' : String(m.line), m.severity, m.message]),
    );
    if (r.messageCount > shown.length) out(`… and ${r.messageCount - shown.length} more messages.`);
  }
}

/** The XML files to import: the file itself, or the .xml files of a folder (recursively), in name order. */
function xmlFiles(target: string): string[] {
  if (!fs.existsSync(target)) throw new CliError(`${target}: no such file or folder.`, EXIT.notFound);
  if (!fs.statSync(target).isDirectory()) return [target];
  return (fs.readdirSync(target, { recursive: true }) as string[])
    .filter((f) => f.toLowerCase().endsWith('.xml'))
    .sort()
    .map((f) => path.join(target, f));
}

/** import iati <file|dir> [--owner <org>] [--relevant-only] */
export function registerIatiCommands(program: Command): void {
  const group = program.commands.find((c) => c.name() === 'import') ?? program.command('import').description('import activities from files');
  group
    .command('iati')
    .argument('<file|dir>', 'an IATI 2.01–2.03 activity file, or a folder of them')
    .option('--owner <org>', 'the organization (id, slug, acronym or IATI identifier) owning activities whose reporting organization is not registered')
    .option('--relevant-only', 'import only activities relevant to trafficking (sectors, SDG targets, keywords)')
    .option('--no-scan', 'do not run the duplicate scan after the import')
    .description('import IATI activity XML by streaming; safe to run again (same file twice changes nothing)')
    .action(async (target: string, opts: { owner?: string; relevantOnly?: boolean; scan: boolean }, cmd: Command) => {
      const files = xmlFiles(target);
      await withDatabase(cmd, async ({ ctx }) => {
        const total: Record<IatiOutcome, number> = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
        let refused = 0;
        for (const file of files) {
          const progress = fileProgress(path.basename(file));
          let report: IatiImportReport;
          try {
            report = await importIatiFileBounded(ctx, { path: file, fileName: path.basename(file) }, { owner: opts.owner, relevance: opts.relevantOnly ? 'relevant-only' : 'all', onProgress: progress.update });
          } finally {
            progress.stop();
          }
          printReport(report);
          for (const o of OUTCOMES) total[o] += report.counts[o];
          if (report.refused) refused++;
        }
        if (files.length > 1) out(`Total: ${files.length} files — ${OUTCOMES.map((o) => `${total[o]} ${o}`).join(', ')}${refused ? `; ${refused} file(s) refused` : ''}.`);
        // Once every file is in, one scan for all of them (as the server runs it in the background after an import).
        if (opts.scan && total.created + total.updated > 0) await runScanWithProgress({ ...ctx, actor: systemActor });
        if (refused > 0) throw new CliError(`${refused} file(s) could not be imported (see above).`, EXIT.invalid);
      });
    });
}

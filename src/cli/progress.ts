import cliProgress from 'cli-progress';
import type { BackupProgress } from '../domain/backups/backups.ts';
import type { ScanProgress } from '../domain/coordination/duplicates.ts';
import { note } from './runtime.ts';

/**
 * Progress output for long work: a bar per table on a terminal, and one line per finished
 * table otherwise (logs and CI), all on standard error so standard output stays clean.
 */
export function tableProgress(): { update(p: BackupProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bars = new cliProgress.MultiBar(
      {
        stream: process.stderr,
        format: ' {phase} {table} [{bar}] {value}/{total}',
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const byKey = new Map<string, cliProgress.SingleBar>();
    return {
      update(p) {
        const key = `${p.phase}:${p.table}`;
        let bar = byKey.get(key);
        if (!bar) {
          bar = bars.create(Math.max(p.total, 1), 0, { phase: p.phase.padEnd(7), table: p.table.padEnd(20) });
          byKey.set(key, bar);
        }
        bar.setTotal(Math.max(p.total, 1));
        bar.update(p.total === 0 ? 1 : p.done);
      },
      stop: () => bars.stop(),
    };
  }
  const reported = new Set<string>();
  return {
    update(p) {
      const key = `${p.phase}:${p.table}`;
      if (p.phase === 'verify' || reported.has(key) || p.done < p.total) return;
      reported.add(key);
      note(`  ${p.phase} ${p.table.padEnd(24)} ${p.done}/${p.total} rows`);
    },
    stop() {},
  };
}

/** The duplicate scan's progress: one line rewritten in place on a terminal, a line per phase otherwise; on standard error. */
export function scanProgress(): { update(p: ScanProgress): void; stop(): void } {
  const label = (p: ScanProgress) =>
    p.phase === 'read' ? `Reading activities: ${p.done}` : p.phase === 'compare' ? `Comparing blocks: ${p.done}/${p.total}` : `Writing ${p.total} candidates and the links`;
  if (process.stderr.isTTY) {
    let shown = false;
    return {
      update(p) {
        process.stderr.write(`\r${label(p).padEnd(60)}`);
        shown = true;
      },
      stop() {
        if (shown) process.stderr.write('\n');
        shown = false;
      },
    };
  }
  let phase = '';
  return {
    update(p) {
      if (p.phase === phase) return;
      phase = p.phase;
      note(`  duplicate scan: ${p.phase === 'read' ? 'reading activities' : p.phase === 'compare' ? `comparing ${p.total} blocks` : `writing ${p.total} candidates and the links`}`);
    },
    stop() {},
  };
}

import type { Command } from 'commander';
import { scanDuplicates, type ScanResult } from '../domain/coordination/duplicates.ts';
import type { DomainContext } from '../domain/context.ts';
import { scanProgress } from './progress.ts';
import { out, withDatabase } from './runtime.ts';

/** Runs the full duplicate scan with a progress line, then prints its summary. */
export async function runScanWithProgress(ctx: DomainContext): Promise<ScanResult> {
  const progress = scanProgress();
  try {
    const r = await scanDuplicates(ctx, { onProgress: (p) => progress.update(p) });
    progress.stop();
    out(`Duplicate scan of ${r.activities} activities in ${(r.ms / 1000).toFixed(1)} s: ${r.blocks} blocks, ${r.compared} pairs compared, ${r.candidates} candidates to review, ${r.links} links (counted once).`);
    return r;
  } finally {
    progress.stop();
  }
}

export function registerCoordinationCommands(program: Command): void {
  const coordination = program.command('coordination').description('coordination analytics');
  coordination
    .command('scan')
    .description('run the full duplicate scan now (funder/implementer links, candidates to review, groups counted once); coordinators and the system only')
    .action(async (_opts: unknown, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        await runScanWithProgress(ctx);
      });
    });
}

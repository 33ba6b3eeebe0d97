import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { activityFiltersSchema, queryRecord } from '../domain/activities/activity-filters.ts';
import { exportActivities } from '../domain/activities/export-activities.ts';
import { iatiOrganisationChunks } from '../domain/iati/export-iati.ts';
import { note, withDatabase } from './runtime.ts';

/** Writes a stream to the file, or to standard output. */
async function writeOut(stream: Readable, file: string | undefined): Promise<void> {
  const target: Writable = file ? fs.createWriteStream(file) : process.stdout;
  await pipeline(stream, target, { end: !!file });
}

/** export iati [--filter <query>] [-o file]; export iati-organisations [-o file] */
export function registerExportCommands(program: Command): void {
  const group = program.commands.find((c) => c.name() === 'export') ?? program.command('export').description('export activities and organizations to files');
  group
    .command('iati')
    .option('--filter <query>', 'the activity list’s filters as a query string, e.g. "country=KE&pillar=protection&from=2024-01-01"', '')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .description('export the activities under the list’s filters as an IATI 2.03 activity file, streamed')
    .action(async (opts: { filter: string; output?: string }, cmd: Command) => {
      const filters = activityFiltersSchema.parse(queryRecord(new URLSearchParams(opts.filter)));
      await withDatabase(cmd, async ({ ctx }) => {
        const file = await exportActivities(ctx, filters, 'xml');
        await writeOut(file.stream, opts.output);
        if (opts.output) note(`Wrote ${opts.output}.`);
      });
    });
  group
    .command('iati-organisations')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .description('export the member organizations that have an IATI identifier as an IATI 2.03 organisation file')
    .action(async (opts: { output?: string }, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        await writeOut(Readable.from(iatiOrganisationChunks(ctx)), opts.output);
        if (opts.output) note(`Wrote ${opts.output}.`);
      });
    });
}

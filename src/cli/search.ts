import type { Command } from 'commander';
import { listFrequentWords, maintainFrequentWords } from '../domain/search/frequent-words.ts';
import { out, withDatabase } from './runtime.ts';

/** search frequent-words */
export function registerSearchCommands(program: Command): void {
  const search = program.command('search').description('the search service: upkeep of its frequent words');

  search
    .command('frequent-words')
    .description('refresh the frequent words of the library and their lists of best documents (the server does it every SEARCH_UPKEEP_MINUTES; for cron when that is 0)')
    .option('--list', 'then print the frequent words, most frequent first')
    .action(async (opts: { list?: boolean }, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        const run = await maintainFrequentWords(ctx);
        out(`${run.frequent} frequent word(s): ${run.added.length} added, ${run.dropped.length} dropped, ${run.trimmed} list entries trimmed, in ${run.ms} ms.`);
        if (opts.list) for (const w of await listFrequentWords(ctx)) out(`${w.lexeme}\t${w.documents}\t${w.listed}`);
      });
    });
}

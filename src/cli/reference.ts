import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { loadIatiRuleset } from '../domain/iati/iati-ruleset.ts';
import { loadIatiCodelists, type CodelistLoadProgress } from '../domain/reference/load-iati-codelists.ts';
import { referenceStatus } from '../domain/reference/read-reference.ts';
import { CliError, EXIT, note, out, printTable, withDatabase } from './runtime.ts';

/** A bar over the files on a terminal; one line per finished codelist otherwise (logs and CI). */
function fileProgress(): { update(p: CodelistLoadProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: ' codelists [{bar}] {value}/{total} {codelist} ({items} codes)', barsize: 30, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) bar.start(p.total, 0, { codelist: '', items: 0 });
        started = true;
        bar.update(p.index + (p.done ? 1 : 0), { codelist: p.codelist ?? p.file, items: p.items });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    update(p) {
      if (p.done) note(`  [${p.index + 1}/${p.total}] ${(p.codelist ?? path.basename(p.file)).padEnd(34)} ${p.items} codes`);
    },
    stop() {},
  };
}

/** reference load-iati | status */
export function registerReferenceCommands(program: Command): void {
  const reference = program.command('reference').description('reference data: countries, regions, taxonomies and IATI codelists');

  reference
    .command('load-iati')
    .argument('<dir>', 'the folder of IATI codelist XML files (the xml/ folder of IATI-Codelists; searched recursively)')
    .description('load the official IATI codelists, replacing the built-in minimal set; safe to run again')
    .action(async (dir: string, _opts, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        note(`Loading IATI codelists from ${dir}…`);
        const progress = fileProgress();
        let results;
        try {
          results = await loadIatiCodelists(ctx, { dir }, { onProgress: progress.update });
        } finally {
          progress.stop();
        }
        const loaded = results.flatMap((r) => (r.status === 'loaded' ? [r] : []));
        const codes = loaded.reduce((n, r) => n + r.items, 0);
        const withdrawn = loaded.reduce((n, r) => n + r.withdrawn, 0);
        for (const r of results) if (r.status === 'skipped') note(`Skipped ${r.file}: ${r.reason}`);
        out(`Loaded ${loaded.length} codelists (${codes} codes, ${withdrawn} of them withdrawn) from ${dir}.`);
        const failed = results.flatMap((r) => (r.status === 'failed' ? [r] : []));
        if (failed.length > 0) {
          throw new CliError(
            [`${failed.length} file(s) could not be loaded; their codelists are unchanged:`, ...failed.map((f) => `  ${f.file}${f.codelist ? ` (${f.codelist})` : ''}: ${f.error}`)].join('\n'),
            EXIT.invalid,
          );
        }
      });
    });

  reference
    .command('load-iati-rules')
    .argument('<file>', 'the IATI standard ruleset (rulesets/standard.json of IATI-Rulesets)')
    .description('load the IATI standard ruleset the importer checks activities against (the part that applies to what the platform stores); safe to run again')
    .action(async (file: string, _opts, cmd: Command) => {
      if (!fs.existsSync(file)) throw new CliError(`${file}: no such file.`, EXIT.notFound);
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        throw new CliError(`${file} is not JSON: ${(err as Error).message}`, EXIT.invalid);
      }
      await withDatabase(cmd, async ({ ctx }) => {
        const r = await loadIatiRuleset(ctx, raw, path.basename(file));
        out(`Loaded ${r.cases} rule cases from ${file}; ${r.excluded.length} left out:`);
        const reasons = new Map<string, number>();
        for (const e of r.excluded) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
        for (const [reason, n] of reasons) out(`  ${n} ${reason}`);
      });
    });

  reference
    .command('status')
    .description('show the reference data: counts, and which IATI codelists are built-in or official')
    .action(async (_opts, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        const s = await referenceStatus(ctx);
        out(`Countries and areas: ${s.countries} (${s.iatiOnlyCountries} valid in IATI only)`);
        out(`UN M49 regions: ${s.regions}`);
        out(`Taxonomies: ${s.taxonomies.map((t) => `${t.taxonomy} ${t.terms - t.withdrawn}${t.withdrawn ? ` (+${t.withdrawn} withdrawn)` : ''}`).join(', ')}`);
        const official = s.codelists.filter((c) => c.origin === 'official').length;
        out(`IATI codelists: ${s.codelists.length} (${official} official, ${s.codelists.length - official} built-in)`);
        out('');
        printTable(
          ['CODELIST', 'ORIGIN', 'CODES', 'WITHDRAWN', 'COMPLETE', 'LOADED'],
          s.codelists.map((c) => [c.name, c.origin, String(c.items), String(c.withdrawn), c.complete ? 'yes' : 'no', c.loadedAt.slice(0, 19).replace('T', ' ')]),
        );
        if (official === 0) {
          out('');
          out('Only the built-in minimal set is loaded. Load the official lists with: icat reference load-iati <dir>');
        }
      });
    });
}

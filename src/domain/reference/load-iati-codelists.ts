import fs from 'node:fs';
import path from 'node:path';
import { withTransaction } from '../../db/database.ts';
import { deleteCodelistItems, insertCodelistItems, lockReferenceData, upsertCodelist, type CodelistItemInput } from '../../db/queries/reference.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { authorize } from '../policies.ts';
import { readCodelistXml, NotACodelistError, type CodelistHeader } from './iati-codelist-xml.ts';
import { bumpReferenceVersion, refreshReferenceData } from './reference-data.ts';

export type CodelistLoadResult =
  | { file: string; status: 'loaded'; codelist: string; items: number; withdrawn: number; complete: boolean }
  | { file: string; status: 'skipped'; reason: string }
  | { file: string; status: 'failed'; codelist?: string; error: string };

export type CodelistLoadProgress = { file: string; index: number; total: number; codelist?: string; items: number; done: boolean };

const BATCH = 500;

function listXmlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listXmlFiles(full));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.xml')) out.push(full);
  }
  return out.sort();
}

/**
 * Loads the official IATI codelists from a folder of codelist XML files (searched
 * recursively; the `xml/` folder of IATI-Codelists and IATI-Codelists-NonEmbedded). Each file
 * is streamed into its codelist in one transaction: the list's items are replaced, names and
 * descriptions kept per language, categories and withdrawn codes included, and the list marked
 * official so the start-up sync no longer touches it. Running it again changes nothing.
 * Administrators only; a file that fails leaves its codelist as it was and the others load.
 */
export async function loadIatiCodelists(
  ctx: DomainContext,
  input: { dir: string },
  opts: { onProgress?: (p: CodelistLoadProgress) => void } = {},
): Promise<CodelistLoadResult[]> {
  authorize(ctx.actor, 'reference.manage');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(input.dir);
  } catch {
    throw new AppError('NOT_FOUND', `The folder ${input.dir} does not exist.`);
  }
  if (!stat.isDirectory()) throw new AppError('VALIDATION_FAILED', `${input.dir} is not a folder.`, { fields: [{ path: 'dir', message: 'Give the folder that holds the codelist XML files.' }] });
  const files = listXmlFiles(input.dir);
  if (files.length === 0) throw new AppError('VALIDATION_FAILED', `No .xml files in ${input.dir}.`, { fields: [{ path: 'dir', message: 'Give the xml/ folder of the IATI codelists.' }] });

  const results: CodelistLoadResult[] = [];
  const seen = new Map<string, string>();
  for (const [index, file] of files.entries()) {
    const rel = path.relative(input.dir, file) || path.basename(file);
    let header: CodelistHeader | undefined;
    let items = 0;
    const report = (done: boolean) => opts.onProgress?.({ file: rel, index, total: files.length, codelist: header?.name, items, done });
    try {
      const loaded = await withTransaction(ctx.db, async (tx) => {
        await lockReferenceData(tx);
        let batch: CodelistItemInput[] = [];
        let withdrawn = 0;
        const flush = async () => {
          await insertCodelistItems(tx, header!.name, batch);
          batch = [];
          report(false);
        };
        for await (const event of readCodelistXml(fs.createReadStream(file))) {
          if (event.kind === 'header') {
            header = event.header;
            const earlier = seen.get(header.name);
            if (earlier) throw new AppError('CONFLICT', `codelist ${header.name} was already loaded from ${earlier} in this run.`);
            await upsertCodelist(tx, { name: header.name, version: null, origin: 'official', complete: header.complete, source: rel });
            await deleteCodelistItems(tx, header.name);
            continue;
          }
          batch.push(event.item);
          items++;
          if (event.item.withdrawn) withdrawn++;
          if (batch.length >= BATCH) await flush();
        }
        if (batch.length > 0) await flush();
        const h = header!;
        await bumpReferenceVersion(tx);
        await recordAudit(tx, ctx, {
          action: 'codelist.load',
          recordType: 'codelist',
          recordId: h.name,
          after: { origin: 'official', source: rel, items, withdrawn, complete: h.complete },
        });
        return { file: rel, status: 'loaded', codelist: h.name, items, withdrawn, complete: h.complete } as const;
      });
      seen.set(loaded.codelist, rel);
      results.push(loaded);
    } catch (err) {
      if (err instanceof NotACodelistError) results.push({ file: rel, status: 'skipped', reason: err.message });
      else if (err instanceof Error && (err.name === 'CodelistXmlError' || err instanceof AppError)) results.push({ file: rel, status: 'failed', codelist: header?.name, error: err.message });
      else throw err;
    }
    report(true);
  }
  if (results.some((r) => r.status === 'loaded')) await refreshReferenceData(ctx.db);
  return results;
}

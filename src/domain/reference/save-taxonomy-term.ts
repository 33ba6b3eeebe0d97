import { z } from 'zod';
import { withTransaction } from '../../db/database.ts';
import { findTaxonomyTerm, lockReferenceData, saveTaxonomyTerm as writeTaxonomyTerm } from '../../db/queries/reference.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { localizedTextSchema, optionalLocalizedTextSchema } from '../languages.ts';
import { authorize } from '../policies.ts';
import { bumpReferenceVersion, refreshReferenceData, type TermRef } from './reference-data.ts';
import { TAXONOMY_SEED } from './taxonomy-seed.ts';

export const taxonomyTermInputSchema = z.strictObject({
  labels: localizedTextSchema.describe('The term’s label per language; English is required'),
  descriptions: optionalLocalizedTextSchema.optional(),
  parent: z.string().trim().max(60).nullable().optional().describe('The code of a broader term of the same taxonomy'),
  sort: z.number().int().min(0).max(100_000).optional(),
  withdrawn: z.boolean().optional().describe('A withdrawn term stays on old records but is no longer offered'),
});
export type TaxonomyTermInput = z.input<typeof taxonomyTermInputSchema>;

const CODE = /^[a-z0-9][a-z0-9._-]{0,60}$/;
const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', message, { fields: [{ path, message }] });

/**
 * Adds a term to one of the platform's taxonomies, or changes one (administrators only).
 * Terms are never deleted: withdraw them instead. A seeded term that is changed here keeps the
 * change across upgrades (the start-up sync no longer rewrites it). Audited; every process
 * sees the change (at once here, within the recheck interval elsewhere).
 */
export async function saveTaxonomyTerm(ctx: DomainContext, taxonomy: string, code: string, raw: TaxonomyTermInput): Promise<TermRef> {
  authorize(ctx.actor, 'reference.manage');
  if (!TAXONOMY_SEED.some((t) => t.taxonomy === taxonomy)) throw invalid('taxonomy', `There is no taxonomy "${taxonomy}".`);
  if (!CODE.test(code)) throw invalid('code', 'A code is lower-case letters, digits, dots, hyphens or underscores, such as "forced-labour" or "16.2".');
  const input = taxonomyTermInputSchema.parse(raw);
  const saved = await withTransaction(ctx.db, async (tx) => {
    await lockReferenceData(tx);
    const before = await findTaxonomyTerm(tx, taxonomy, code);
    const parent = input.parent || null;
    if (parent && (parent === code || !(await findTaxonomyTerm(tx, taxonomy, parent)))) throw invalid('parent', `"${parent}" is not another term of ${taxonomy}.`);
    const row = {
      taxonomy,
      code,
      labels: input.labels as Record<string, string>,
      descriptions: (input.descriptions ?? before?.descriptions ?? {}) as Record<string, string>,
      parent_code: input.parent === undefined ? (before?.parent_code ?? null) : parent,
      sort: input.sort ?? before?.sort ?? 1000,
      source: before && before.source !== 'custom' ? 'edited' : 'custom',
      withdrawn: input.withdrawn ?? (before ? before.withdrawn_at !== null : false),
    };
    await writeTaxonomyTerm(tx, row);
    const after = (await findTaxonomyTerm(tx, taxonomy, code))!;
    await bumpReferenceVersion(tx);
    await recordAudit(tx, ctx, { action: before ? 'taxonomy-term.update' : 'taxonomy-term.create', recordType: 'taxonomy_term', recordId: `${taxonomy}:${code}`, before, after });
    return after;
  });
  await refreshReferenceData(ctx.db);
  return {
    taxonomy: saved.taxonomy,
    code: saved.code,
    labels: saved.labels,
    descriptions: saved.descriptions,
    parentCode: saved.parent_code,
    sort: saved.sort,
    source: saved.source,
    withdrawn: saved.withdrawn_at !== null,
  };
}

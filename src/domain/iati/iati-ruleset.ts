import { withTransaction } from '../../db/database.ts';
import { readPlatformState, writePlatformState } from '../../db/queries/platform-state.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { authorize } from '../policies.ts';
import { activityDocument, applicableRules, isRuleset, RuleEngine, type ExcludedRule, type Ruleset } from './iati-rules.ts';

/**
 * The IATI standard ruleset the importer checks activities against, loaded by an administrator
 * (`icat reference load-iati-rules <standard.json>`) and kept in platform_state. Only the part
 * that applies to what the platform stores is kept; the rest is listed with its reason.
 */

const KEY = 'iati.ruleset';

type Stored = { ruleset: Ruleset; excluded: ExcludedRule[]; source: string; loadedAt: string };

export type RulesetSummary = { cases: number; excluded: ExcludedRule[]; source: string; loadedAt: string };

const countCases = (r: Ruleset) => Object.values(r).reduce((n, rules) => n + Object.values(rules).reduce((m, v) => m + v.cases.length, 0), 0);

/** Stores the applicable part of a ruleset after checking that every expression compiles. */
export async function loadIatiRuleset(ctx: DomainContext, raw: unknown, source: string): Promise<RulesetSummary> {
  authorize(ctx.actor, 'reference.manage');
  if (!isRuleset(raw)) throw new AppError('VALIDATION_FAILED', 'This is not an IATI ruleset: expected { context: { rule: { cases: [...] } } }.');
  const { ruleset, excluded } = applicableRules(raw);
  try {
    // Evaluating on an empty activity compiles every expression (and every loop's inner cases run on nothing).
    new RuleEngine(ruleset).check(activityDocument({ name: 'iati-activity', attrs: {}, children: [], text: '', line: 1 }));
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `The ruleset holds an expression that cannot be evaluated: ${(err as Error).message}`);
  }
  const stored: Stored = { ruleset, excluded, source: source.slice(0, 500), loadedAt: new Date().toISOString() };
  await withTransaction(ctx.db, async (tx) => {
    await writePlatformState(tx, KEY, stored);
    await recordAudit(tx, ctx, { action: 'iati.ruleset.load', recordType: 'platform_state', recordId: KEY, after: { source: stored.source, cases: countCases(ruleset), excluded: excluded.length } });
  });
  return { cases: countCases(ruleset), excluded, source: stored.source, loadedAt: stored.loadedAt };
}

/** The engine for the stored ruleset, or null when none was loaded. */
export async function storedIatiRules(ctx: DomainContext): Promise<{ engine: RuleEngine; summary: RulesetSummary } | null> {
  const stored = await readPlatformState<Stored>(ctx.db.kysely, KEY);
  if (!stored || !isRuleset(stored.ruleset)) return null;
  return { engine: new RuleEngine(stored.ruleset), summary: { cases: countCases(stored.ruleset), excluded: stored.excluded, source: stored.source, loadedAt: stored.loadedAt } };
}

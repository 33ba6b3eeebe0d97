import type { Executor } from '../../db/database.ts';
import { existingOrganizationIds } from '../../db/queries/activities.ts';
import type { DomainContext } from '../context.ts';
import { AppError, type FieldError } from '../errors.ts';
import { getReferenceData } from '../reference/reference-data.ts';
import type { ActivityData, ValidationMessage } from './activity-schemas.ts';
import { validateActivity, type ValidationMode } from './validate-activity.ts';

export type { ValidationMode };

/** Messages that block publishing (anything other than a draft). */
export const isBlocking = (m: ValidationMessage) => m.severity === 'critical' || m.severity === 'error';

/**
 * Problems that make a record impossible to store at all, whatever its visibility: a country,
 * region, sector or related activity listed twice (they are keys), an organization that does not
 * exist. Checked against the database inside the caller's transaction.
 */
export async function storageProblems(tx: Executor, d: ActivityData): Promise<ValidationMessage[]> {
  const out: ValidationMessage[] = [];
  const twice = (list: string[], path: (i: number) => string, what: string) => {
    const seen = new Set<string>();
    list.forEach((key, i) => {
      if (seen.has(key)) {
        out.push({ severity: 'critical', path: path(i), rule: 'storage.duplicate', message: `${what} is listed twice.`, hint: 'Keep one row and remove the other.' });
      }
      seen.add(key);
    });
  };
  twice(d.countries.map((c) => c.code), (i) => `countries.${i}.code`, 'This country');
  twice(d.regions.map((r) => `${r.vocabulary} ${r.code}`), (i) => `regions.${i}.code`, 'This region');
  twice(d.sectors.map((s) => `${s.vocabulary} ${s.code}`), (i) => `sectors.${i}.code`, 'This sector');
  twice(d.relatedActivities.map((r) => `${r.type} ${r.ref}`), (i) => `relatedActivities.${i}.ref`, 'This related activity');

  const wanted = [d.ownerOrganizationId, ...d.participants.map((p) => p.organizationId ?? '').filter(Boolean), ...d.sharedWith];
  const existing = await existingOrganizationIds(tx, wanted);
  if (!existing.has(d.ownerOrganizationId)) {
    out.push({ severity: 'critical', path: 'ownerOrganizationId', rule: 'owner.unknown', message: 'There is no organization with this id.', hint: 'Choose a registered organization as the owner.' });
  }
  d.participants.forEach((p, i) => {
    if (p.organizationId && !existing.has(p.organizationId)) {
      out.push({
        severity: 'critical',
        path: `participants.${i}.organizationId`,
        rule: 'participants.organization-unknown',
        message: 'There is no registered organization with this id.',
        hint: 'Choose a registered organization, or leave it empty and give the name and IATI reference instead.',
      });
    }
  });
  d.sharedWith.forEach((o, i) => {
    if (!existing.has(o)) {
      out.push({ severity: 'critical', path: `sharedWith.${i}`, rule: 'sharing.organization-unknown', message: 'There is no organization with this id.', hint: 'Share only with registered organizations.' });
    }
  });
  return out;
}

/** The field errors of a refused save: every message, each with its severity and hint. */
export function messagesAsFields(messages: ValidationMessage[]): FieldError[] {
  return messages.map((m) => ({ path: m.path, message: m.message, code: m.rule, severity: m.severity, ...(m.hint !== undefined && { hint: m.hint }) }));
}

/** Refuses a save: VALIDATION_FAILED naming the fields, with all messages (blocking ones first). */
export function refuse(messages: ValidationMessage[], why: string): AppError {
  const sorted = [...messages.filter(isBlocking), ...messages.filter((m) => !isBlocking(m))];
  return new AppError('VALIDATION_FAILED', why, { fields: messagesAsFields(sorted) });
}

/** Grades activity data synchronously against reference data loaded beforehand. */
export type Grader = (data: ActivityData, mode: ValidationMode) => ValidationMessage[];

/**
 * The one validator (`validateActivity`) bound to the current reference data. Load it before
 * opening a transaction, or pass the transaction as `executor`: on the embedded database a
 * transaction holds the only connection.
 */
export async function activityGrader(ctx: DomainContext, executor?: Executor): Promise<Grader> {
  const ref = await getReferenceData(ctx, executor);
  return (data, mode) => validateActivity(data, ref, { mode });
}

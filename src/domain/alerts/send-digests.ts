import { withTransaction, type Tx } from '../../db/database.ts';
import { enqueueMail } from '../../db/queries/mail.ts';
import { advanceAlert, claimDueAlert, databaseNow, deleteExpiredSubscriptions, type DueAlert } from '../../db/queries/saved-searches.ts';
import { isLanguage } from '../../i18n/i18n.ts';
import { anonymous, type Actor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { loadUserActor } from '../identity/users.ts';
import type { Language } from '../languages.ts';
import { authorize } from '../policies.ts';
import { searchPublishedIn } from '../search/search.ts';
import { searchParamsFromUrl } from '../search/search-schemas.ts';
import { digestMail } from './alert-mail.ts';

/**
 * A digest covers records first published up to this long before it runs: a record is stamped
 * when its transaction starts, so one still being saved when the digest reads could otherwise
 * carry a time before the new watermark and never be announced. The next digest takes it.
 */
export const ALERT_SETTLE_SECONDS = 120;
/** Titles listed in one digest; the mail gives the number of the others and the full search. */
export const DIGEST_SIZE = 20;

export type DigestRun = { checked: number; sent: number; failed: string[] };

/**
 * Sends every due digest: for each saved search or subscription whose daily or weekly alert is
 * due, the search runs as its recipient may see it (a person with their current rights, a
 * reader as a visitor), restricted to records first published since its watermark. When
 * something is new, one e-mail is queued in the recipient's language; the watermark advances in
 * the same transaction as the queued mail, so a crash neither sends twice nor skips. Each alert
 * is claimed with its row locked (skipping rows another sender holds), so two processes may run
 * this at once. Expired unconfirmed subscriptions are forgotten on the way.
 */
export async function sendDueDigests(ctx: DomainContext): Promise<DigestRun> {
  authorize(ctx.actor, 'alerts.send');
  await withTransaction(ctx.db, (tx) => deleteExpiredSubscriptions(tx));
  const run: DigestRun = { checked: 0, sent: 0, failed: [] };
  for (;;) {
    let claimed: string | undefined;
    try {
      const outcome = await withTransaction(ctx.db, async (tx) => {
        const due = await claimDueAlert(tx, run.failed);
        if (!due) return undefined;
        claimed = due.id;
        return { sent: await digestOne(ctx, tx, due) };
      });
      if (!outcome) return run;
      run.checked++;
      if (outcome.sent) run.sent++;
    } catch (err) {
      // One alert that cannot be processed (its row stays as it was) does not stop the others.
      if (!claimed) throw err;
      run.failed.push(claimed);
    }
  }
}

async function digestOne(ctx: DomainContext, tx: Tx, due: DueAlert): Promise<boolean> {
  const now = await databaseNow(tx);
  const until = new Date(now.getTime() - ALERT_SETTLE_SECONDS * 1000);
  const since = new Date(due.alert_watermark);
  let actor: Actor = anonymous;
  let to: { email: string; language: string } | undefined;
  if (due.user_id) {
    const person = due.user_active ? await loadUserActor(tx, due.user_id) : undefined;
    if (person) {
      actor = person;
      to = { email: person.email, language: person.language };
    }
  } else if (due.email) {
    to = { email: due.email, language: due.language ?? 'en' };
  }
  if (!to || until <= since) {
    // A deactivated account gets nothing, and nothing is kept back for it.
    await advanceAlert(tx, due.id, { watermark: until > since ? until : since, sent: false });
    return false;
  }
  const lang = (isLanguage(to.language) ? to.language : 'en') as Language;
  const found = await searchPublishedIn({ ...ctx, actor, db: { ...ctx.db, kysely: tx } }, searchParamsFromUrl(new URLSearchParams(due.query)), {
    window: { since, until },
    lang,
    limit: DIGEST_SIZE,
  });
  const sent = found.total > 0 && found.results.length > 0;
  if (sent) {
    await enqueueMail(
      tx,
      digestMail(ctx.config, {
        to: { email: to.email, language: lang },
        name: due.name,
        query: due.query,
        total: found.total,
        hits: found.results,
        unsubscribeToken: due.unsubscribe_token,
        manageUrl: due.user_id !== null,
      }),
    );
    await recordAudit(tx, { actor: ctx.actor, requestId: ctx.requestId }, {
      action: 'search.alert.sent',
      recordType: 'saved_search',
      recordId: due.id,
      after: { matches: found.total, since: since.toISOString(), until: until.toISOString() },
    });
  }
  await advanceAlert(tx, due.id, { watermark: until, sent });
  return sent;
}

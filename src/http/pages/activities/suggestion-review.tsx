import { Hono, type Context } from 'hono';
import { CLASSIFICATION_KEYS } from '../../../domain/activities/activity-mapping.ts';
import { CLASSIFICATION_TAXONOMIES, type Classification, type Narrative } from '../../../domain/activities/activity-schemas.ts';
import { reviewSuggestions, MAX_REVIEWS } from '../../../domain/activities/confirm-suggestions.ts';
import { listPendingSuggestions, type PendingSuggestion, type PendingSuggestionsPage } from '../../../domain/activities/list-pending-suggestions.ts';
import type { Language } from '../../../domain/languages.ts';
import type { AppEnv } from '../../env.ts';
import { Csrf } from '../components/form.tsx';
import { Pager } from '../components/pager.tsx';
import { formatNumber } from '../format.ts';
import type { PageContext } from '../page-context.ts';
import { renderPage } from '../render.tsx';
import { pickLocalized } from './activity-record.tsx';
import { Breadcrumb } from '../components/breadcrumb.tsx';

/**
 * The bulk review of the classification importers suggested: a page of activities awaiting
 * review, each suggested term a ticked checkbox, one form for the page. Posting it reviews every
 * row not left for later through reviewSuggestions (each activity in its own transaction, with
 * its own version check), then sends the browser on to the next page with the outcome in the URL.
 */

export const REVIEW_PATH = '/activities/suggestions';

/** Why a row could not be saved, as the outcome in the URL names it. */
type Reason = 'conflict' | 'gone' | 'forbidden' | 'invalid';
const reasonOf = (code: string): Reason => (code === 'VERSION_CONFLICT' ? 'conflict' : code === 'NOT_FOUND' ? 'gone' : code === 'FORBIDDEN' || code === 'UNAUTHENTICATED' ? 'forbidden' : 'invalid');

const ACT_ID = /^act_[0-9a-z]{26}$/;
const FAILED = /^(act_[0-9a-z]{26}):(conflict|gone|forbidden|invalid)$/;

type Outcome = { reviewed: number; later: number; failed: { id: string; reason: Reason }[] };

/** The outcome of the last post, read back from the URL it redirected to; null when there is none. */
function readOutcome(url: URL): Outcome | null {
  const q = url.searchParams;
  if (!q.has('reviewed')) return null;
  const count = (v: string | null) => (v && /^\d{1,3}$/.test(v) ? Math.min(Number(v), MAX_REVIEWS) : 0);
  const failed = q
    .getAll('failed')
    .slice(0, MAX_REVIEWS)
    .flatMap((f) => {
      const m = FAILED.exec(f);
      return m ? [{ id: m[1]!, reason: m[2] as Reason }] : [];
    });
  return { reviewed: count(q.get('reviewed')), later: count(q.get('later')), failed };
}

/** The page's address with its state (owner filter, position: `cursor`, as the Pager writes it) and, after a post, its outcome. */
function reviewHref(state: { owner?: string | null; cursor?: string | null }, outcome?: Outcome): string {
  const q = new URLSearchParams();
  if (state.owner) q.set('owner', state.owner);
  if (state.cursor) q.set('cursor', state.cursor);
  if (outcome) {
    q.set('reviewed', String(outcome.reviewed));
    q.set('later', String(outcome.later));
    for (const f of outcome.failed) q.append('failed', `${f.id}:${f.reason}`);
  }
  const s = q.toString();
  return s ? `${REVIEW_PATH}?${s}` : REVIEW_PATH;
}

type Titled = { id: string; title: Narrative; defaultLanguage: string; iatiIdentifier: string | null };
const titleText = (a: Titled, lang: Language) => pickLocalized(a.title, lang, a.defaultLanguage)?.text || a.iatiIdentifier || a.id;

function ActivityTitle({ page, a }: { page: PageContext; a: Titled }) {
  const picked = pickLocalized(a.title, page.lang, a.defaultLanguage);
  return (
    <a href={`/activities/${a.id}`} lang={picked && picked.lang !== page.lang ? picked.lang : undefined}>
      {picked?.text || a.iatiIdentifier || a.id}
    </a>
  );
}

function OutcomePanel({ page, outcome, result }: { page: PageContext; outcome: Outcome; result: PendingSuggestionsPage }) {
  const { t, lang } = page;
  const n = (count: number) => ({ count, formatted: formatNumber(lang, count) });
  const parts = [
    outcome.reviewed > 0 || (outcome.later === 0 && outcome.failed.length === 0) ? t('suggestionReview.outcome.reviewed', n(outcome.reviewed)) : '',
    outcome.later > 0 ? t('suggestionReview.outcome.later', n(outcome.later)) : '',
  ].filter(Boolean);
  return (
    <>
      {parts.length > 0 && (
        <p class={`flash ${outcome.reviewed > 0 ? 'flash-success' : 'flash-info'}`} role="status">
          {parts.join(' ')}
        </p>
      )}
      {outcome.failed.length > 0 && (
        <section class="notice-panel" aria-labelledby="review-failed-title">
          <h2 id="review-failed-title">{t('suggestionReview.outcome.failed', n(outcome.failed.length))}</h2>
          <ul>
            {outcome.failed.map((f) => {
              const named = result.named[f.id];
              return (
                <li>
                  {named ? <ActivityTitle page={page} a={named} /> : <code>{f.id}</code>}
                  {' — '}
                  {t(`suggestionReview.reason.${f.reason}`)}
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </>
  );
}

function ReviewRow({ page, a, reference }: { page: PageContext; a: PendingSuggestion; reference: PendingSuggestionsPage['reference'] }) {
  const { t, lang } = page;
  const keys = CLASSIFICATION_KEYS.filter((k) => (a.suggestions[k] ?? []).length > 0);
  const title = titleText(a, lang);
  return (
    <tr>
      <th scope="row" class="review-activity">
        <input type="hidden" name="row" value={a.id} />
        <input type="hidden" name={`version.${a.id}`} value={String(a.version)} />
        <ActivityTitle page={page} a={a} />
        <p class="meta">
          {a.iatiIdentifier && (
            <>
              <code>{a.iatiIdentifier}</code>
              {' · '}
            </>
          )}
          {a.owner.acronym}
        </p>
      </th>
      <td>
        {keys.map((k) => (
          <fieldset class="checkbox-group review-terms">
            <legend>{t(`activity.field.classification.${k}`)}</legend>
            <div class="checkbox-list">
              {(a.suggestions[k] ?? []).map((code, i) => (
                <div class="checkbox">
                  <input type="checkbox" id={`s-${a.id}-${k}-${i}`} name={`accept.${a.id}.${k}`} value={code} checked />
                  <label for={`s-${a.id}-${k}-${i}`}>{reference.label(CLASSIFICATION_TAXONOMIES[k], code, lang)}</label>
                </div>
              ))}
            </div>
          </fieldset>
        ))}
      </td>
      <td>
        <label class="visually-hidden" for={`d-${a.id}`}>
          {t('suggestionReview.decisionFor', { title })}
        </label>
        <select id={`d-${a.id}`} name={`decision.${a.id}`}>
          <option value="review" selected>
            {t('suggestionReview.decision.review')}
          </option>
          <option value="later">{t('suggestionReview.decision.later')}</option>
        </select>
      </td>
    </tr>
  );
}

function ReviewPage({ page, result, outcome, onLaterPage }: { page: PageContext; result: PendingSuggestionsPage; outcome: Outcome | null; onLaterPage: boolean }) {
  const { t, lang } = page;
  return (
    <>
      <Breadcrumb t={t} trail={[{ href: '/activities', label: t('activityList.title') }]} here={t('suggestionReview.title')} />
      <h1>{t('suggestionReview.title')}</h1>
      <p class="lead">{t('suggestionReview.lead')}</p>
      {outcome && <OutcomePanel page={page} outcome={outcome} result={result} />}
      {result.owners.length > 0 && (
        <form method="get" action={REVIEW_PATH} class="filter-bar review-filter">
          <div class="field">
            <label for="review-owner">{t('suggestionReview.owner')}</label>
            <select id="review-owner" name="owner">
              <option value="">{t('suggestionReview.allOwners')}</option>
              {result.owners.map((o) => (
                <option value={o.id} selected={o.id === result.owner}>
                  {t('suggestionReview.ownerOption', { acronym: o.acronym, count: o.pending, formatted: formatNumber(lang, o.pending) })}
                </option>
              ))}
            </select>
          </div>
          <div class="filter-actions">
            <button type="submit" class="button button-secondary">
              {t('suggestionReview.show')}
            </button>
          </div>
        </form>
      )}
      <p class="result-count">{t('suggestionReview.count', { count: result.total, formatted: formatNumber(lang, result.total) })}</p>
      {result.items.length === 0 ? (
        <div class="empty-state">
          <p class="empty">{t(onLaterPage ? 'suggestionReview.emptyHere' : 'suggestionReview.empty')}</p>
          {onLaterPage && (
            <p>
              <a href={reviewHref({ owner: result.owner })}>{t('pager.first')}</a>
            </p>
          )}
        </div>
      ) : (
        <form method="post" action={REVIEW_PATH} class="review-form">
          <Csrf page={page} />
          {result.owner && <input type="hidden" name="owner" value={result.owner} />}
          {result.nextCursor && <input type="hidden" name="continue" value={result.nextCursor} />}
          <p class="hint">{t('suggestionReview.howTo')}</p>
          <div class="table-wrap" tabindex={0}>
            <table class="review-table">
              <caption class="visually-hidden">{t('suggestionReview.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('suggestionReview.col.activity')}</th>
                  <th scope="col">{t('suggestionReview.col.terms')}</th>
                  <th scope="col">{t('suggestionReview.col.decision')}</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((a) => (
                  <ReviewRow page={page} a={a} reference={result.reference} />
                ))}
              </tbody>
            </table>
          </div>
          <div class="form-actions">
            <button type="submit" class="button">
              {t('suggestionReview.submit', { count: result.items.length, formatted: formatNumber(lang, result.items.length) })}
            </button>
          </div>
        </form>
      )}
      <Pager page={page} nextCursor={result.nextCursor} params={{ owner: result.owner ?? '' }} />
    </>
  );
}

/** GET /activities/suggestions */
async function reviewPage(c: Context<AppEnv>) {
  const url = new URL(c.req.url);
  const outcome = readOutcome(url);
  const cursor = url.searchParams.get('cursor') || undefined;
  const result = await listPendingSuggestions(c.get('ctx'), {
    owner: url.searchParams.get('owner') || undefined,
    after: cursor,
    named: outcome?.failed.map((f) => f.id) ?? [],
  });
  const t = c.get('t');
  return renderPage(c, { title: t('suggestionReview.title') }, (page) => <ReviewPage page={page} result={result} outcome={outcome} onLaterPage={cursor !== undefined} />);
}

type Body = Record<string, string | File | (string | File)[]>;
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
const one = (v: unknown): string | undefined => list(v)[0];

/**
 * POST /activities/suggestions: every row but those left for later is reviewed (ticked terms
 * confirmed, unticked ones dismissed), each on its own; then on to the next page with the outcome.
 */
async function reviewAction(c: Context<AppEnv>) {
  const body = (await c.req.parseBody({ all: true })) as Body;
  const rows = [...new Set(list(body.row))].filter((id) => ACT_ID.test(id)).slice(0, MAX_REVIEWS);
  let later = 0;
  const items: { id: string; version: number; accept: Partial<Classification> }[] = [];
  for (const id of rows) {
    if (one(body[`decision.${id}`]) === 'later') {
      later++;
      continue;
    }
    const version = one(body[`version.${id}`]);
    const accept: Partial<Classification> = {};
    for (const k of CLASSIFICATION_KEYS) {
      const codes = list(body[`accept.${id}.${k}`]);
      if (codes.length > 0) accept[k] = codes;
    }
    items.push({ id, version: version && /^\d{1,9}$/.test(version) ? Number(version) : 0, accept });
  }
  const results = items.length > 0 ? await reviewSuggestions(c.get('ctx'), { items }) : [];
  const outcome: Outcome = {
    reviewed: results.filter((r) => r.status === 'confirmed').length,
    later,
    failed: results.flatMap((r) => (r.status === 'failed' ? [{ id: r.id, reason: reasonOf(r.code) }] : [])),
  };
  const owner = one(body.owner);
  const next = one(body.continue);
  return c.redirect(reviewHref({ owner: owner && /^org_[0-9a-z]{26}$/.test(owner) ? owner : null, cursor: next && next.length <= 200 ? next : null }, outcome), 303);
}

/** The bulk review page of suggested classifications. */
export function suggestionReviewRoutes() {
  const r = new Hono<AppEnv>();
  r.get(REVIEW_PATH, reviewPage);
  r.post(REVIEW_PATH, reviewAction);
  return r;
}

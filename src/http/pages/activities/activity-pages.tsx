import { Hono, type Context } from 'hono';
import { activityEditForm, activityFormChoices, type ActivityFormChoices } from '../../../domain/activities/activity-form-choices.ts';
import type { Activity } from '../../../domain/activities/activity-schemas.ts';
import { activityHistoryWithChanges } from '../../../domain/activities/activity-versions.ts';
import { confirmSuggestions } from '../../../domain/activities/confirm-suggestions.ts';
import { deleteActivity, restoreActivity } from '../../../domain/activities/delete-activity.ts';
import { viewActivity } from '../../../domain/activities/get-activity.ts';
import { createActivity, updateActivity } from '../../../domain/activities/save-activity.ts';
import { pickText } from '../../../domain/languages.ts';
import type { AppEnv } from '../../env.ts';
import { expectedError } from '../components/form.tsx';
import { pageContext, type PageContext } from '../page-context.ts';
import { renderPage } from '../render.tsx';
import { ActivityForm } from './activity-form.tsx';
import { GROUPS, inputFromModel, KEPT_FIELDS, messagesFromError, messagesFromValidation, modelFromActivity, modelFromBody, unsavedChanges, type FormModel } from './activity-form-model.ts';
import { ActivityHistory } from './activity-history.tsx';
import { ActivityRecord } from './activity-record.tsx';
import { Breadcrumb } from '../components/breadcrumb.tsx';

/** Platform ids only, so that other /activities/… pages (the list's exports, imports) never reach these routes. */
const ID = ':id{act_[0-9a-z]{26}}';

type Body = Record<string, string | File | (string | File)[]>;

/** The label of a form field for the conflict table (`title.fr` → "Title in French"). */
function formFieldLabel(t: PageContext['t'], name: string): string {
  const m = /^(title|description)\.(\w\w)$/.exec(name);
  if (m) return t(`activity.field.${m[1]}In`, { language: t(`language.${m[2]}`) });
  if (GROUPS.includes(name as never)) return t(`activity.form.${name}.legend`);
  return t(`activity.field.${name}`, { defaultValue: name });
}

const titleOf = (a: Activity, lang: string) => pickText(a.title, lang) || a.iatiIdentifier || a.id;

function formPage(
  c: Context<AppEnv>,
  opts: { mode: 'new' | 'edit'; model: FormModel; choices: ActivityFormChoices; activity?: Activity; status?: number; flash?: PageContext['flash']; unsaved?: ReturnType<typeof unsavedChanges> },
) {
  const page = pageContext(c);
  const { t } = page;
  if (opts.flash) page.flash = opts.flash;
  const a = opts.activity;
  const heading = opts.mode === 'new' ? t('activity.form.newTitle') : t('activity.form.editTitle', { title: titleOf(a!, page.lang) });
  return renderPage(c, { title: heading, status: opts.status, page }, () => (
    <div class="activity-form-page">
      <Breadcrumb
        t={t}
        trail={[{ href: '/activities', label: t('activity.record.breadcrumb') }, ...(a ? [{ href: `/activities/${a.id}`, label: titleOf(a, page.lang) }] : [])]}
        here={opts.mode === 'new' ? t('activity.form.newCrumb') : t('activity.form.editCrumb')}
      />
      <h1>{heading}</h1>
      <p class="lead">{opts.mode === 'new' ? t('activity.form.newIntro') : t('activity.form.editIntro')}</p>
      {opts.unsaved && (
        <section class="notice-panel" aria-labelledby="unsaved-title">
          <h2 id="unsaved-title">{t('activity.form.conflictTitle')}</h2>
          <p>{t('activity.form.conflictBody', { version: a?.version ?? '' })}</p>
          {opts.unsaved.length > 0 && (
            <div class="table-wrap" tabindex={0}>
              <table>
                <caption class="visually-hidden">{t('activity.form.conflictTitle')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('activity.history.field')}</th>
                    <th scope="col">{t('activity.form.currentValue')}</th>
                    <th scope="col">{t('activity.form.yourValue')}</th>
                  </tr>
                </thead>
                <tbody>
                  {opts.unsaved.map((u) => (
                    <tr>
                      <th scope="row">{formFieldLabel(t, u.field)}</th>
                      <td>{u.current || <span class="meta">{t('activity.form.empty')}</span>}</td>
                      <td>{u.yours || <span class="meta">{t('activity.form.empty')}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      <ActivityForm
        page={page}
        model={opts.model}
        choices={opts.choices}
        mode={opts.mode}
        action={opts.mode === 'new' ? '/activities' : `/activities/${a!.id}`}
        cancelHref={a ? `/activities/${a.id}` : '/activities'}
      />
    </div>
  ));
}

/** GET /activities/new */
async function newActivityPage(c: Context<AppEnv>) {
  const choices = await activityFormChoices(c.get('ctx'));
  return formPage(c, { mode: 'new', choices, model: modelFromActivity(null, { ownerOrganizationId: choices.defaultOwnerId }) });
}

/** Where to go after a save: the record, with a note saying whether it still has problems. */
function afterSave(c: Context<AppEnv>, a: Activity, messages: { severity: string }[], created: boolean) {
  const blocking = messages.some((m) => m.severity !== 'warning');
  const notice = blocking ? 'activitySavedWithProblems' : created ? 'activityCreated' : 'activitySaved';
  return c.redirect(`/activities/${a.id}?notice=${notice}`, 303);
}

/** POST /activities — creates, or adds a row and shows the form again. */
async function createActivityAction(c: Context<AppEnv>) {
  const ctx = c.get('ctx');
  const model = modelFromBody((await c.req.parseBody({ all: true })) as Body);
  if (model.added) return formPage(c, { mode: 'new', choices: await activityFormChoices(ctx), model });
  try {
    const saved = await createActivity(ctx, inputFromModel(model));
    return afterSave(c, saved.activity, saved.messages, true);
  } catch (caught) {
    const err = expectedError(caught, ['VALIDATION_FAILED', 'CONFLICT']);
    if (!err) throw caught;
    model.messages = messagesFromError(err);
    return formPage(c, { mode: 'new', choices: await activityFormChoices(ctx), model, status: err.code === 'CONFLICT' ? 409 : 422 });
  }
}

/** GET /activities/:id */
async function activityPage(c: Context<AppEnv>) {
  const view = await viewActivity(c.get('ctx'), c.req.param('id') ?? '');
  const lang = c.get('lang');
  const description = pickText(view.activity.description, lang).slice(0, 300) || undefined;
  return renderPage(c, { title: titleOf(view.activity, lang), description }, (page) => <ActivityRecord page={page} view={view} />);
}

/** GET /activities/:id/edit */
async function editActivityPage(c: Context<AppEnv>) {
  const { view, choices } = await activityEditForm(c.get('ctx'), c.req.param('id') ?? '');
  const model = modelFromActivity(view.activity);
  model.messages = messagesFromValidation(view.messages);
  return formPage(c, { mode: 'edit', choices, model, activity: view.activity });
}

/** POST /activities/:id — saves the edit; a stale version shows the current record and what you typed. */
async function updateActivityAction(c: Context<AppEnv>) {
  const ctx = c.get('ctx');
  const id = c.req.param('id') ?? '';
  const model = modelFromBody((await c.req.parseBody({ all: true })) as Body);
  if (model.added) {
    const { view, choices } = await activityEditForm(ctx, id);
    return formPage(c, { mode: 'edit', choices, model, activity: view.activity });
  }
  try {
    const saved = await updateActivity(ctx, id, { ...inputFromModel(model), version: Number(model.values.version) }, { keep: KEPT_FIELDS });
    return afterSave(c, saved.activity, saved.messages, false);
  } catch (caught) {
    const err = expectedError(caught, ['VERSION_CONFLICT', 'VALIDATION_FAILED', 'CONFLICT']);
    if (!err) throw caught;
    const { view, choices } = await activityEditForm(ctx, id);
    if (err.code === 'VERSION_CONFLICT') {
      const current = modelFromActivity(view.activity);
      return formPage(c, {
        mode: 'edit',
        choices,
        model: current,
        activity: view.activity,
        status: 409,
        unsaved: unsavedChanges(model, current),
        flash: { kind: 'error', text: c.get('t')('errors.version_conflict.body') },
      });
    }
    model.messages = messagesFromError(err);
    return formPage(c, { mode: 'edit', choices, model, activity: view.activity, status: err.code === 'CONFLICT' ? 409 : 422 });
  }
}

/** POST /activities/:id/delete and /restore */
function setDeletedAction(deleted: boolean) {
  return async (c: Context<AppEnv>) => {
    const body = (await c.req.parseBody()) as Body;
    const version = typeof body.version === 'string' && /^\d{1,9}$/.test(body.version) ? Number(body.version) : undefined;
    const fn = deleted ? deleteActivity : restoreActivity;
    const a = await fn(c.get('ctx'), c.req.param('id') ?? '', { version });
    return c.redirect(`/activities/${a.id}?notice=${deleted ? 'activityDeleted' : 'activityRestored'}`, 303);
  };
}

/** POST /activities/:id/suggestions: the ticked suggestions join the classification, the others are dismissed. */
async function confirmSuggestionsAction(c: Context<AppEnv>) {
  const body = await c.req.parseBody({ all: true });
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
  const accept = Object.fromEntries(
    Object.entries(body)
      .filter(([k]) => k.startsWith('accept.'))
      .map(([k, v]) => [k.slice('accept.'.length), list(v)]),
  );
  const version = typeof body.version === 'string' && /^\d{1,9}$/.test(body.version) ? Number(body.version) : 0;
  const saved = await confirmSuggestions(c.get('ctx'), c.req.param('id') ?? '', { version, accept });
  return c.redirect(`/activities/${saved.activity.id}?notice=suggestionsConfirmed`, 303);
}

/** GET /activities/:id/history */
async function historyPage(c: Context<AppEnv>) {
  const h = await activityHistoryWithChanges(c.get('ctx'), c.req.param('id') ?? '');
  const t = c.get('t');
  return renderPage(c, { title: `${t('activity.history.title')} — ${pickText(h.activity.title, c.get('lang')) || h.activity.id}` }, (page) => <ActivityHistory page={page} h={h} />);
}

/** The record, form and history pages of activities. The list (/activities) and its exports are elsewhere. */
export function activityRecordRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/activities/new', newActivityPage);
  r.post('/activities', createActivityAction);
  r.get(`/activities/${ID}`, activityPage);
  r.post(`/activities/${ID}`, updateActivityAction);
  r.get(`/activities/${ID}/edit`, editActivityPage);
  r.get(`/activities/${ID}/history`, historyPage);
  r.post(`/activities/${ID}/delete`, setDeletedAction(true));
  r.post(`/activities/${ID}/restore`, setDeletedAction(false));
  r.post(`/activities/${ID}/suggestions`, confirmSuggestionsAction);
  return r;
}

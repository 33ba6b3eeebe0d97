import type { Context } from 'hono';
import { AppError } from '../../../domain/errors.ts';
import { LANGUAGES, pickText } from '../../../domain/languages.ts';
import { LOGO_MAX_BYTES, setOrganizationLogo } from '../../../domain/organizations/organization-logo.ts';
import { ORGANIZATION_KINDS, ORGANIZATION_TYPES, type Organization, type OrganizationInput, type OrganizationPatch } from '../../../domain/organizations/organization-schemas.ts';
import {
  createOrganization,
  getOrganization,
  listOrganizations,
  setOrganizationArchived,
  updateOrganization,
} from '../../../domain/organizations/organizations.ts';
import { can } from '../../../domain/policies.ts';
import { direction } from '../../../i18n/i18n.ts';
import type { AppEnv } from '../../env.ts';
import { ActionButton, Csrf, emptyForm, ErrorSummary, expectedError, fieldId, formErrors, SelectField, TextArea, TextField, type FormState } from '../components/form.tsx';
import { Pager } from '../components/pager.tsx';
import { formatDate, isoDate } from '../format.ts';
import { pageContext, type PageContext } from '../page-context.ts';
import { renderPage } from '../render.tsx';
import { AdminShell, requireAdministration } from './admin-shell.tsx';

type Body = Record<string, string | File | (string | File)[]>;
const str = (body: Body, key: string): string => {
  const v = body[key];
  return typeof v === 'string' ? v : '';
};

/** The form's values for an existing organization. */
function valuesOf(org: Organization): Record<string, string> {
  const values: Record<string, string> = {
    acronym: org.acronym,
    slug: org.slug,
    kind: org.kind,
    orgType: org.orgType,
    website: org.website ?? '',
    iatiRef: org.iatiRef ?? '',
    joinedYear: org.joinedYear ? String(org.joinedYear) : '',
    chairYears: org.chairYears.join(', '),
    version: String(org.version),
  };
  for (const l of LANGUAGES) {
    values[`name.${l}`] = org.name[l] ?? '';
    values[`description.${l}`] = org.description[l] ?? '';
  }
  return values;
}

/** The submitted values, as typed, to show again next to errors. */
function submittedValues(body: Body): Record<string, string> {
  const keys = ['acronym', 'slug', 'kind', 'orgType', 'website', 'iatiRef', 'joinedYear', 'chairYears', 'version', ...LANGUAGES.flatMap((l) => [`name.${l}`, `description.${l}`])];
  return Object.fromEntries(keys.map((k) => [k, str(body, k)]));
}

const numberOrRaw = (s: string): number | string => (/^\d{1,6}$/.test(s) ? Number(s) : s);

function texts(values: Record<string, string>, field: 'name' | 'description'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of LANGUAGES) {
    const v = values[`${field}.${l}`]?.trim();
    if (v) out[l] = v;
  }
  return out;
}

/**
 * Turns the form into the domain's input; the domain validates it. Empty optional fields become
 * null, numbers are passed as numbers when they look like numbers (and as typed otherwise, so the
 * domain names the field).
 */
function inputFrom(values: Record<string, string>, withAdminFields: boolean) {
  const chairYears = values.chairYears
    ?.split(/[\s,;]+/)
    .filter(Boolean)
    .map(numberOrRaw);
  const name = texts(values, 'name');
  return {
    ...(withAdminFields && { kind: values.kind, ...(values.slug?.trim() && { slug: values.slug.trim() }) }),
    acronym: values.acronym ?? '',
    name: { ...name, en: name.en ?? '' },
    description: texts(values, 'description'),
    orgType: values.orgType,
    website: values.website?.trim() ? values.website.trim() : null,
    iatiRef: values.iatiRef?.trim() ? values.iatiRef.trim() : null,
    joinedYear: values.joinedYear?.trim() ? numberOrRaw(values.joinedYear.trim()) : null,
    chairYears: chairYears ?? [],
  };
}

/** Maps an error path from the domain to the form field showing it (`chairYears.2` → `chairYears`). */
const fieldOf = (path: string) => {
  if (path.startsWith('chairYears')) return 'chairYears';
  if (path === 'name') return 'name.en';
  return path;
};

function labels(t: PageContext['t']): Record<string, string> {
  const out: Record<string, string> = {
    acronym: t('admin.org.field.acronym'),
    slug: t('admin.org.field.slug'),
    kind: t('admin.org.field.kind'),
    orgType: t('admin.org.field.orgType'),
    website: t('admin.org.field.website'),
    iatiRef: t('admin.org.field.iatiRef'),
    joinedYear: t('admin.org.field.joinedYear'),
    chairYears: t('admin.org.field.chairYears'),
    logo: t('admin.org.logo.field'),
  };
  for (const l of LANGUAGES) {
    out[`name.${l}`] = t('admin.org.field.nameIn', { language: t(`language.${l}`) });
    out[`description.${l}`] = t('admin.org.field.descriptionIn', { language: t(`language.${l}`) });
  }
  return out;
}

type FormPageOpts = {
  mode: 'new' | 'edit';
  form: FormState;
  org?: Organization;
  status?: number;
  flash?: PageContext['flash'];
  /** After a version conflict: what the person had typed, for the fields that differ from the current record. */
  unsaved?: { field: string; yours: string; current: string }[];
  logoForm?: FormState;
};

function renderForm(c: Context<AppEnv>, opts: FormPageOpts) {
  const t = c.get('t');
  const page = pageContext(c);
  if (opts.flash) page.flash = opts.flash;
  const { form, org } = opts;
  const adminFields = can(page.actor, 'organization.create');
  const fieldLabels = labels(t);
  const action = opts.mode === 'new' ? '/admin/organizations' : `/admin/organizations/${org!.slug}`;
  const heading = opts.mode === 'new' ? t('admin.org.newTitle') : t('admin.org.editTitle', { name: org!.acronym });
  return renderPage(c, { title: heading, status: opts.status, page }, () => (
    <AdminShell
      page={page}
      heading={heading}
      intro={opts.mode === 'new' ? t('admin.org.newIntro') : undefined}
      actions={
        org && (
          <a class="button button-secondary button-small" href={`/members/${org.slug}`}>
            {t('admin.org.viewPublic')}
          </a>
        )
      }
    >
      {opts.unsaved && opts.unsaved.length > 0 && (
        <section class="notice-panel" aria-labelledby="unsaved-title">
          <h2 id="unsaved-title">{t('admin.org.unsavedTitle')}</h2>
          <p>{t('admin.org.unsavedBody')}</p>
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('admin.field')}</th>
                  <th scope="col">{t('admin.org.currentValue')}</th>
                  <th scope="col">{t('admin.org.yourValue')}</th>
                </tr>
              </thead>
              <tbody>
                {opts.unsaved.map((u) => (
                  <tr>
                    <th scope="row">{fieldLabels[u.field] ?? u.field}</th>
                    <td>{u.current || <span class="meta">{t('admin.empty')}</span>}</td>
                    <td>{u.yours || <span class="meta">{t('admin.empty')}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <ErrorSummary t={t} form={form} labels={fieldLabels} />
      <form method="post" action={action} class="stack form-wide" novalidate>
        <Csrf page={page} />
        {opts.mode === 'edit' && <input type="hidden" name="version" value={form.values.version ?? ''} />}
        <fieldset>
          <legend>{t('admin.org.identity')}</legend>
          <div class="form-grid">
            <TextField t={t} form={form} name="acronym" label={fieldLabels.acronym!} required maxlength={32} hint={t('admin.org.hint.acronym')} />
            {adminFields ? (
              <TextField t={t} form={form} name="slug" label={fieldLabels.slug!} maxlength={63} hint={t('admin.org.hint.slug')} />
            ) : (
              <div class="field">
                <span class="label">{fieldLabels.slug}</span>
                <p class="readonly">
                  <code>{org?.slug}</code>
                </p>
              </div>
            )}
            {adminFields ? (
              <SelectField
                t={t}
                form={form}
                name="kind"
                label={fieldLabels.kind!}
                required
                options={ORGANIZATION_KINDS.map((k) => ({ value: k, label: t(`orgKind.${k}`) }))}
              />
            ) : (
              <div class="field">
                <span class="label">{fieldLabels.kind}</span>
                <p class="readonly">{org && t(`orgKind.${org.kind}`)}</p>
              </div>
            )}
            <SelectField
              t={t}
              form={form}
              name="orgType"
              label={fieldLabels.orgType!}
              required
              options={ORGANIZATION_TYPES.map((k) => ({ value: k, label: t(`orgType.${k}`) }))}
            />
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('admin.org.names')}</legend>
          <p class="hint">{t('admin.org.hint.names')}</p>
          <div class="stack-fields">
            {LANGUAGES.map((l) => (
              <TextField t={t} form={form} name={`name.${l}`} label={fieldLabels[`name.${l}`]!} required={l === 'en'} lang={l} dir={direction(l)} maxlength={2000} />
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('admin.org.descriptions')}</legend>
          <p class="hint">{t('admin.org.hint.descriptions')}</p>
          <div class="stack-fields">
            {LANGUAGES.map((l) => (
              <TextArea t={t} form={form} name={`description.${l}`} label={fieldLabels[`description.${l}`]!} lang={l} dir={direction(l)} rows={2} />
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('admin.org.details')}</legend>
          <div class="form-grid">
            <TextField t={t} form={form} name="website" type="url" label={fieldLabels.website!} hint={t('admin.org.hint.website')} autocomplete="url" />
            <TextField t={t} form={form} name="iatiRef" label={fieldLabels.iatiRef!} hint={t('admin.org.hint.iatiRef')} />
            <TextField t={t} form={form} name="joinedYear" label={fieldLabels.joinedYear!} inputmode="numeric" size={6} hint={t('admin.org.hint.joinedYear')} />
            <TextField t={t} form={form} name="chairYears" label={fieldLabels.chairYears!} hint={t('admin.org.hint.chairYears')} />
          </div>
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button">
            {opts.mode === 'new' ? t('admin.org.create') : t('admin.save')}
          </button>
          <a class="button button-secondary" href="/admin/organizations">
            {t('admin.cancel')}
          </a>
        </div>
      </form>

      {org && <LogoSection page={page} org={org} form={opts.logoForm ?? emptyForm()} />}

      {org && can(page.actor, 'organization.archive') && (
        <section class="danger-zone" aria-labelledby="archive-title">
          <h2 id="archive-title">{org.archived ? t('admin.org.restoreTitle') : t('admin.org.archiveTitle')}</h2>
          <p id="archive-help">{org.archived ? t('admin.org.restoreHelp') : t('admin.org.archiveHelp')}</p>
          <ActionButton
            page={page}
            action={`/admin/organizations/${org.slug}/${org.archived ? 'restore' : 'archive'}`}
            label={org.archived ? t('admin.org.restore') : t('admin.org.archive')}
            variant={org.archived ? undefined : 'danger'}
            describedBy="archive-help"
          />
        </section>
      )}
    </AdminShell>
  ));
}

function LogoSection({ page, org, form }: { page: PageContext; org: Organization; form: FormState }) {
  const { t } = page;
  const error = form.errors.logo;
  return (
    <section class="logo-section" aria-labelledby="logo-title">
      <h2 id="logo-title">{t('admin.org.logo.title')}</h2>
      <div class="logo-row">
        {org.logoUrl ? (
          <img class="org-logo" src={org.logoUrl} alt={t('org.logoAlt', { name: org.acronym })} width="96" height="96" />
        ) : (
          <span class="org-logo logo-placeholder">{t('admin.org.logo.none')}</span>
        )}
        <div>
          <form method="post" action={`/admin/organizations/${org.slug}/logo`} enctype="multipart/form-data" class="stack">
            <Csrf page={page} />
            <div class={`field${error ? ' field-invalid' : ''}`}>
              <label for={fieldId('logo')}>{org.logoUrl ? t('admin.org.logo.replace') : t('admin.org.logo.field')}</label>
              <p class="hint" id={`${fieldId('logo')}-hint`}>
                {t('admin.org.logo.hint', { size: LOGO_MAX_BYTES / 1024 })}
              </p>
              {error && (
                <p class="error" id={`${fieldId('logo')}-error`} role="alert">
                  {error}
                </p>
              )}
              <input
                type="file"
                id={fieldId('logo')}
                name="logo"
                accept="image/png,image/jpeg,image/webp"
                aria-invalid={error ? 'true' : undefined}
                aria-describedby={`${fieldId('logo')}-hint${error ? ` ${fieldId('logo')}-error` : ''}`}
              />
            </div>
            <div class="form-actions">
              <button type="submit" class="button button-secondary">
                {t('admin.org.logo.upload')}
              </button>
            </div>
          </form>
          {org.logoUrl && (
            <ActionButton page={page} action={`/admin/organizations/${org.slug}/logo/remove`} label={t('admin.org.logo.remove')} variant="link" />
          )}
        </div>
      </div>
    </section>
  );
}

/** GET /admin/organizations: every organization with its state and the actions the actor may take. */
export async function organizationListPage(c: Context<AppEnv>) {
  requireAdministration(c);
  const t = c.get('t');
  const ctx = c.get('ctx');
  const canArchive = can(ctx.actor, 'organization.archive');
  const showArchived = canArchive && c.req.query('archived') === '1';
  const q = (c.req.query('q') ?? '').trim().slice(0, 200);
  const kindParam = c.req.query('kind');
  const kind = (ORGANIZATION_KINDS as readonly string[]).includes(kindParam ?? '') ? (kindParam as Organization['kind']) : undefined;
  const cursor = c.req.query('cursor')?.slice(0, 500);
  const result = await listOrganizations(ctx, { limit: 50, q: q || undefined, kind, includeArchived: showArchived, cursor: cursor || undefined });
  return renderPage(c, { title: t('admin.org.listTitle') }, (page) => (
    <AdminShell
      page={page}
      heading={t('admin.org.listTitle')}
      intro={t('admin.org.listIntro')}
      actions={
        can(page.actor, 'organization.create') && (
          <a class="button" href="/admin/organizations/new">
            {t('admin.org.new')}
          </a>
        )
      }
    >
      <form method="get" action="/admin/organizations" class="filter-bar" role="search" aria-label={t('admin.filter')}>
        <div class="field">
          <label for="org-q">{t('members.filter.text')}</label>
          <input type="search" id="org-q" name="q" value={q} maxlength={200} />
        </div>
        <div class="field">
          <label for="org-kind">{t('members.filter.kind')}</label>
          <select id="org-kind" name="kind">
            <option value="">{t('members.filter.allKinds')}</option>
            {ORGANIZATION_KINDS.map((k) => (
              <option value={k} selected={k === kind}>
                {t(`orgKind.${k}_plural`)}
              </option>
            ))}
          </select>
        </div>
        {canArchive && (
          <div class="checkbox">
            <input type="checkbox" id="org-archived" name="archived" value="1" checked={showArchived} />
            <label for="org-archived">{t('admin.org.showArchived')}</label>
          </div>
        )}
        <div class="filter-actions">
          <button type="submit" class="button">
            {t('members.filter.submit')}
          </button>
        </div>
      </form>
      {result.items.length === 0 ? (
        <p class="empty">{t('members.empty')}</p>
      ) : (
        <div class="table-wrap" tabindex={0}>
          <table class="data-table">
            <caption class="visually-hidden">{t('admin.org.listTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.org.field.acronym')}</th>
                <th scope="col">{t('admin.org.column.name')}</th>
                <th scope="col">{t('admin.org.field.kind')}</th>
                <th scope="col">{t('admin.org.column.updated')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((o) => (
                <tr class={o.archived ? 'row-muted' : undefined}>
                  <th scope="row" class="nowrap">
                    <a href={`/members/${o.slug}`}>{o.acronym}</a>
                    {o.archived && <span class="badge badge-muted">{t('org.archived')}</span>}
                  </th>
                  <td>{pickText(o.name, page.lang)}</td>
                  <td>{t(`orgKind.${o.kind}`)}</td>
                  <td class="nowrap">
                    <time datetime={isoDate(o.updatedAt)}>{formatDate(page.lang, o.updatedAt)}</time>
                  </td>
                  <td class="row-actions">
                    {can(page.actor, 'organization.update', { id: o.id }) && (
                      <a href={`/admin/organizations/${o.slug}/edit`} aria-label={t('admin.org.editNamed', { name: o.acronym })}>
                        {t('admin.edit')}
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} nextCursor={result.nextCursor} params={{ q, kind: kind ?? '', archived: showArchived ? '1' : '' }} />
    </AdminShell>
  ));
}

/** GET /admin/organizations/new */
export function newOrganizationPage(c: Context<AppEnv>) {
  requireAdministration(c);
  if (!can(c.get('actor'), 'organization.create')) throw new AppError('FORBIDDEN', 'Only administrators create organizations.');
  return renderForm(c, { mode: 'new', form: emptyForm({ kind: 'member', orgType: 'un_entity' }) });
}

/** POST /admin/organizations */
export async function createOrganizationAction(c: Context<AppEnv>) {
  const body = (await c.req.parseBody()) as Body;
  const values = submittedValues(body);
  try {
    const org = await createOrganization(c.get('ctx'), inputFrom(values, true) as unknown as OrganizationInput);
    return c.redirect(`/admin/organizations/${org.slug}/edit?notice=organizationCreated`, 303);
  } catch (caught) {
    const err = expectedError(caught, ['VALIDATION_FAILED', 'CONFLICT']);
    if (!err) throw caught;
    return renderForm(c, { mode: 'new', form: { values, errors: formErrors(c.get('t'), c.get('lang'), err, fieldOf) }, status: err.code === 'CONFLICT' ? 409 : 422 });
  }
}

/** GET /admin/organizations/:slug/edit — for administrators and the organization's focal points. */
export async function editOrganizationPage(c: Context<AppEnv>) {
  const actor = c.get('actor');
  const org = await getOrganization(c.get('ctx'), c.req.param('slug') ?? '');
  if (actor.kind === 'anonymous') requireAdministration(c);
  if (!can(actor, 'organization.update', { id: org.id })) throw new AppError('FORBIDDEN', 'You cannot change this organization.');
  return renderForm(c, { mode: 'edit', org, form: emptyForm(valuesOf(org)) });
}

/** POST /admin/organizations/:slug — saves the edit form; a stale version shows the current record instead. */
export async function updateOrganizationAction(c: Context<AppEnv>) {
  const ctx = c.get('ctx');
  const t = c.get('t');
  const slug = c.req.param('slug') ?? '';
  const body = (await c.req.parseBody()) as Body;
  const values = submittedValues(body);
  const adminFields = can(ctx.actor, 'organization.create');
  try {
    const org = await updateOrganization(ctx, slug, { ...inputFrom(values, adminFields), version: Number(values.version) } as unknown as OrganizationPatch);
    return c.redirect(`/admin/organizations/${org.slug}/edit?notice=saved`, 303);
  } catch (caught) {
    const err = expectedError(caught, ['VERSION_CONFLICT', 'VALIDATION_FAILED', 'CONFLICT']);
    if (!err) throw caught;
    if (err.code === 'VERSION_CONFLICT' && err.current) {
      const current = err.current as Organization;
      const now = valuesOf(current);
      const unsaved = Object.keys(labels(t))
        .filter((k) => k !== 'logo' && (adminFields || (k !== 'kind' && k !== 'slug')))
        .filter((k) => (values[k] ?? '').trim() !== (now[k] ?? '').trim())
        .map((k) => ({ field: k, yours: values[k] ?? '', current: now[k] ?? '' }));
      return renderForm(c, {
        mode: 'edit',
        org: current,
        form: emptyForm(now),
        status: 409,
        unsaved,
        flash: { kind: 'error', text: t('errors.version_conflict.body') },
      });
    }
    if (err.code === 'VALIDATION_FAILED' || err.code === 'CONFLICT') {
      const org = await getOrganization(ctx, slug);
      return renderForm(c, { mode: 'edit', org, form: { values, errors: formErrors(t, c.get('lang'), err, fieldOf) }, status: err.code === 'CONFLICT' ? 409 : 422 });
    }
    throw caught;
  }
}

/** POST /admin/organizations/:slug/archive and /restore */
export function archiveOrganizationAction(archived: boolean) {
  return async (c: Context<AppEnv>) => {
    const org = await setOrganizationArchived(c.get('ctx'), c.req.param('slug') ?? '', archived);
    return c.redirect(`/admin/organizations/${org.slug}/edit?notice=${archived ? 'organizationArchived' : 'organizationRestored'}`, 303);
  };
}

/** POST /admin/organizations/:slug/logo (multipart) — a wrong type or size re-shows the page with the error by the field. */
export async function uploadLogoAction(c: Context<AppEnv>) {
  const ctx = c.get('ctx');
  const slug = c.req.param('slug') ?? '';
  const body = (await c.req.parseBody()) as Body;
  const file = body.logo;
  try {
    const bytes = file instanceof File ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array();
    const org = await setOrganizationLogo(ctx, slug, { bytes });
    return c.redirect(`/admin/organizations/${org.slug}/edit?notice=logoSaved`, 303);
  } catch (caught) {
    const err = expectedError(caught, ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE']);
    if (!err) throw caught;
    const org = await getOrganization(ctx, slug);
    const t = c.get('t');
    const message =
      err.code === 'PAYLOAD_TOO_LARGE'
        ? t('admin.org.logo.tooLarge', { size: LOGO_MAX_BYTES / 1024 })
        : err.code === 'UNSUPPORTED_MEDIA_TYPE'
          ? t('admin.org.logo.wrongType')
          : t('admin.org.logo.missing');
    return renderForm(c, {
      mode: 'edit',
      org,
      form: emptyForm(valuesOf(org)),
      logoForm: { values: {}, errors: { logo: message } },
      status: err.code === 'VALIDATION_FAILED' ? 422 : err.code === 'PAYLOAD_TOO_LARGE' ? 413 : 415,
      flash: { kind: 'error', text: message },
    });
  }
}

/** POST /admin/organizations/:slug/logo/remove */
export async function removeLogoAction(c: Context<AppEnv>) {
  const org = await setOrganizationLogo(c.get('ctx'), c.req.param('slug') ?? '', null);
  return c.redirect(`/admin/organizations/${org.slug}/edit?notice=logoRemoved`, 303);
}

import type { PublicationFormChoices } from '../../../domain/publications/publication-form-choices.ts';
import { THEME_TAXONOMIES } from '../../../domain/publications/publication-form-choices.ts';
import { PUBLICATION_KINDS, type Publication } from '../../../domain/publications/publication-schemas.ts';
import type { NewPublicationInput } from '../../../domain/publications/save-publication.ts';
import { LANGUAGES, pickText, type Language } from '../../../domain/languages.ts';
import { direction } from '../../../i18n/i18n.ts';
import { Csrf, ErrorSummary, fieldId, SelectField, TextArea, TextField, type FormState } from '../components/form.tsx';
import type { PageContext } from '../page-context.ts';

/** Form fields holding several values (a multiple select), kept in FormState joined by newlines. */
const MULTI = ['themes', 'countries', 'regions', 'sharedWith', 'related', 'organizationIds'] as const;
const lines = (s: string | undefined) => (s ?? '').split('\n').map((x) => x.trim()).filter(Boolean);

/** The form's values from a stored publication (or the defaults of a new one). */
export function formFromPublication(p: Publication | null, defaultOwner: string | null): FormState {
  const v: Record<string, string | undefined> = {
    ownerOrganizationId: p?.ownerOrganizationId ?? defaultOwner ?? '',
    kind: p?.kind ?? 'issue_brief',
    number: p?.number ?? '',
    published: p?.published ?? '',
    authors: (p?.authors ?? []).join('\n'),
    visibility: p?.visibility ?? 'public',
    status: p?.status ?? 'draft',
    defaultLanguage: p?.defaultLanguage ?? 'en',
    version: p ? String(p.version) : '',
  };
  for (const m of MULTI) v[m] = ((p?.[m] as string[] | undefined) ?? []).join('\n');
  for (const l of p?.languages ?? []) {
    v[`title.${l.lang}`] = l.title;
    v[`summary.${l.lang}`] = l.summary;
    v[`keyQuestions.${l.lang}`] = l.keyQuestions.join('\n');
    v[`body.${l.lang}`] = l.body;
  }
  return { values: v, errors: {} };
}

type Body = Record<string, string | File | (string | File)[]>;

/** The form's values from a posted body (repeated fields as lists). */
export function formFromBody(body: Body): FormState {
  const one = (k: string) => {
    const x = body[k];
    const s = Array.isArray(x) ? x[0] : x;
    return typeof s === 'string' ? s : '';
  };
  const all = (k: string) => {
    const x = body[k];
    return (Array.isArray(x) ? x : x === undefined ? [] : [x]).filter((s): s is string => typeof s === 'string' && s !== '');
  };
  const v: Record<string, string | undefined> = {};
  for (const k of ['ownerOrganizationId', 'kind', 'number', 'published', 'authors', 'visibility', 'status', 'defaultLanguage', 'version']) v[k] = one(k);
  for (const m of MULTI) v[m] = all(m).join('\n');
  for (const l of LANGUAGES) for (const f of ['title', 'summary', 'keyQuestions', 'body']) v[`${f}.${l}`] = one(`${f}.${l}`);
  return { values: v, errors: {} };
}

/** The domain's input from the form: a language version for every language with a title. */
export function inputFromForm(form: FormState): NewPublicationInput {
  const v = form.values;
  const langs = LANGUAGES.filter((l) => (v[`title.${l}`] ?? '').trim() !== '' || (v[`summary.${l}`] ?? '').trim() !== '' || (v[`body.${l}`] ?? '').trim() !== '');
  return {
    ownerOrganizationId: v.ownerOrganizationId || null,
    kind: (v.kind ?? 'issue_brief') as NewPublicationInput['kind'],
    number: v.number?.trim() || null,
    published: v.published?.trim() || null,
    authors: lines(v.authors),
    themes: lines(v.themes),
    countries: lines(v.countries),
    regions: lines(v.regions),
    organizationIds: lines(v.organizationIds),
    visibility: (v.visibility ?? 'public') as NewPublicationInput['visibility'],
    sharedWith: lines(v.sharedWith),
    status: (v.status ?? 'draft') as NewPublicationInput['status'],
    defaultLanguage: (v.defaultLanguage ?? 'en') as Language,
    related: lines(v.related),
    languages: langs.map((l) => ({ lang: l, title: v[`title.${l}`] ?? '', summary: v[`summary.${l}`] ?? '', keyQuestions: lines(v[`keyQuestions.${l}`]), body: v[`body.${l}`] ?? '' })),
  };
}

/** The form field a domain error path belongs to. */
export function fieldOfPath(path: string, input: NewPublicationInput): string {
  const m = /^languages\.(\d+)\.(\w+)/.exec(path);
  if (m) {
    const lang = input.languages?.[Number(m[1])]?.lang ?? 'en';
    return `${m[2] === 'lang' ? 'title' : m[2]}.${lang}`;
  }
  if (path === 'languages') return 'title.en';
  return path.split('.')[0] ?? path;
}

function MultiSelect({ page, form, name, label, hint, groups }: { page: PageContext; form: FormState; name: string; label: string; hint?: string; groups: { label?: string; options: { value: string; label: string }[] }[] }) {
  const selected = new Set(lines(form.values[name]));
  const error = form.errors[name];
  const id = fieldId(name);
  const opts = (o: { value: string; label: string }[]) =>
    o.map((x) => (
      <option value={x.value} selected={selected.has(x.value)}>
        {x.label}
      </option>
    ));
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${id}-error`}>
          <span class="visually-hidden">{page.t('form.errorPrefix')} </span>
          {error}
        </p>
      )}
      <select id={id} name={name} multiple size={8} aria-invalid={error ? 'true' : undefined} aria-describedby={[hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined}>
        {groups.map((g) => (g.label ? <optgroup label={g.label}>{opts(g.options)}</optgroup> : opts(g.options)))}
      </select>
    </div>
  );
}

export function PublicationForm({ page, form, choices, publication }: { page: PageContext; form: FormState; choices: PublicationFormChoices; publication: Publication | null }) {
  const { t, lang } = page;
  const ref = choices.reference;
  const orgLabel = (o: { acronym: string; name: Record<string, string> }) => `${o.acronym} — ${pickText(o.name, lang)}`;
  const labels: Record<string, string> = {
    ownerOrganizationId: t('library.form.owner'),
    kind: t('library.form.kind'),
    number: t('library.form.number'),
    published: t('library.form.published'),
    themes: t('library.facet.theme'),
    countries: t('library.countries'),
    regions: t('library.facet.region'),
    sharedWith: t('library.form.sharedWith'),
    related: t('library.related'),
    defaultLanguage: t('library.form.defaultLanguage'),
    organizationIds: t('library.form.coPublishers'),
    version: t('library.form.version'),
  };
  for (const l of LANGUAGES) for (const f of ['title', 'summary', 'keyQuestions', 'body']) labels[`${f}.${l}`] = `${t(`library.form.${f}`)} (${t(`language.${l}`)})`;
  const action = publication ? `/library/${publication.id}/edit` : '/library/new';
  return (
    <form method="post" action={action} class="record-form" novalidate>
      <Csrf page={page} />
      <ErrorSummary t={t} form={form} labels={labels} />
      {publication && <input type="hidden" name="version" value={form.values.version ?? ''} />}
      <fieldset>
        <legend>{t('library.form.about')}</legend>
        <SelectField t={t} form={form} name="ownerOrganizationId" label={labels.ownerOrganizationId!} required options={choices.organizations.filter((o) => choices.ownerIds.includes(o.id)).map((o) => ({ value: o.id, label: orgLabel(o) }))} />
        <SelectField t={t} form={form} name="kind" label={labels.kind!} required options={PUBLICATION_KINDS.map((k) => ({ value: k, label: t(`library.kind.${k}`) }))} />
        <TextField t={t} form={form} name="number" label={labels.number!} hint={t('library.form.numberHint')} maxlength={40} />
        <TextField t={t} form={form} name="published" label={labels.published!} hint={t('library.form.publishedHint')} maxlength={10} />
        <TextArea t={t} form={form} name="authors" label={t('library.form.authors')} hint={t('library.form.linesHint')} rows={2} />
        <MultiSelect page={page} form={form} name="organizationIds" label={labels.organizationIds!} groups={[{ options: choices.organizations.map((o) => ({ value: o.id, label: orgLabel(o) })) }]} />
        <SelectField t={t} form={form} name="status" label={t('library.form.status')} options={(['draft', 'published'] as const).map((s) => ({ value: s, label: t(`library.status.${s}`) }))} />
        <SelectField t={t} form={form} name="visibility" label={t('library.form.visibility')} options={(['public', 'members', 'restricted'] as const).map((s) => ({ value: s, label: t(`library.visibility.${s}`) }))} />
        <MultiSelect page={page} form={form} name="sharedWith" label={labels.sharedWith!} hint={t('library.form.sharedWithHint')} groups={[{ options: choices.organizations.map((o) => ({ value: o.id, label: orgLabel(o) })) }]} />
      </fieldset>
      <fieldset>
        <legend>{t('library.form.classification')}</legend>
        <MultiSelect
          page={page}
          form={form}
          name="themes"
          label={labels.themes!}
          groups={THEME_TAXONOMIES.map((tx) => ({ label: t(`library.taxonomy.${tx}`), options: ref.terms(tx).map((term) => ({ value: `${tx}:${term.code}`, label: pickText(term.labels, lang) || term.code })) }))}
        />
        <MultiSelect page={page} form={form} name="regions" label={labels.regions!} groups={[{ options: [...ref.regions.values()].filter((r) => r.level !== 'world').map((r) => ({ value: r.m49, label: pickText(r.names, lang) || r.m49 })) }]} />
        <MultiSelect page={page} form={form} name="countries" label={labels.countries!} groups={[{ options: [...ref.countries.values()].filter((c) => !c.iatiOnly).map((c) => ({ value: c.code, label: pickText(c.names, lang) || c.code })).sort((a, b) => a.label.localeCompare(b.label, lang)) }]} />
        <MultiSelect page={page} form={form} name="related" label={labels.related!} groups={[{ options: choices.publications.filter((x) => x.id !== publication?.id).map((x) => ({ value: x.id, label: x.title })) }]} />
      </fieldset>
      <SelectField t={t} form={form} name="defaultLanguage" label={labels.defaultLanguage!} options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))} />
      {LANGUAGES.map((l) => (
        <fieldset class="language-version">
          <legend>{t('library.form.languageVersion', { language: t(`language.${l}`) })}</legend>
          <TextField t={t} form={form} name={`title.${l}`} label={labels[`title.${l}`]!} lang={l} dir={direction(l)} maxlength={500} />
          <TextArea t={t} form={form} name={`summary.${l}`} label={labels[`summary.${l}`]!} lang={l} dir={direction(l)} rows={4} />
          <TextArea t={t} form={form} name={`keyQuestions.${l}`} label={labels[`keyQuestions.${l}`]!} hint={t('library.form.linesHint')} lang={l} dir={direction(l)} rows={3} />
          <TextArea t={t} form={form} name={`body.${l}`} label={labels[`body.${l}`]!} lang={l} dir={direction(l)} rows={6} />
        </fieldset>
      ))}
      <p class="form-actions">
        <button type="submit" class="button">
          {t(publication ? 'library.form.save' : 'library.form.create')}
        </button>
        <a class="button button-secondary" href={publication ? `/library/${publication.id}` : '/library'}>
          {t('library.form.cancel')}
        </a>
      </p>
    </form>
  );
}

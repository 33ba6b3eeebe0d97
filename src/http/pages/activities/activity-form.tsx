import type { Child } from 'hono/jsx';
import type { ActivityFormChoices } from '../../../domain/activities/activity-form-choices.ts';
import { CLASSIFICATION_TAXONOMIES } from '../../../domain/activities/activity-schemas.ts';
import { CLASSIFICATION_KEYS } from '../../../domain/activities/activity-mapping.ts';
import { LANGUAGES, pickText } from '../../../domain/languages.ts';
import { VISIBILITIES } from '../../../domain/policies.ts';
import { direction } from '../../../i18n/i18n.ts';
import { Csrf, fieldId } from '../components/form.tsx';
import type { PageContext } from '../page-context.ts';
import { emptyRows, GROUP_FIELDS, GROUPS, type FormModel, type GroupName, type ShownMessage } from './activity-form-model.ts';

/**
 * The activity form: works without JavaScript (repeating groups with empty rows and an "add
 * another row" button that re-renders the form on the server), and `activity-form.js` adds
 * and removes rows in the browser when it can. Graded messages appear by their field and in a
 * summary at the top that links to each field.
 */

type Option = { value: string; label: string };
type Ctx = { page: PageContext; model: FormModel; choices: ActivityFormChoices; shown: Map<string, ShownMessage[]> };

const SEVERITY_ORDER = { critical: 0, error: 1, warning: 2 } as const;

/** The field (or group) of the form where a message is shown: the longest prefix of its path the form has. */
export function fieldForPath(path: string, fields: ReadonlySet<string>, model: FormModel): string | null {
  if (path === 'title' || path === 'description') return `${path}.${model.values.defaultLanguage || 'en'}`;
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (fields.has(candidate)) return candidate;
  }
  return null;
}

/** Every field name and group anchor the form renders, for placing messages. */
export function formFieldNames(model: FormModel): Set<string> {
  const names = new Set<string>([
    'iatiIdentifier',
    'ownerOrganizationId',
    'visibility',
    'sharedWith',
    'defaultLanguage',
    'status',
    'plannedStart',
    'plannedEnd',
    'actualStart',
    'actualEnd',
    'defaultCurrency',
    ...GROUPS,
    ...CLASSIFICATION_KEYS.map((k) => `classification.${k}`),
    'classification',
  ]);
  for (const l of LANGUAGES) {
    names.add(`title.${l}`);
    names.add(`description.${l}`);
  }
  for (const g of GROUPS) {
    for (let i = 0; i < model.rows[g] + emptyRows(model, g); i++) {
      names.add(`${g}.${i}`);
      for (const f of GROUP_FIELDS[g].shown) names.add(`${g}.${i}.${f}`);
    }
  }
  // Participants show one name field; a message about any of their names goes there.
  for (let i = 0; i < model.rows.participants; i++) names.add(`participants.${i}.name`);
  return names;
}

function placeMessages(model: FormModel): { byField: Map<string, ShownMessage[]>; unplaced: ShownMessage[]; fieldOf: Map<ShownMessage, string | null> } {
  const fields = formFieldNames(model);
  const byField = new Map<string, ShownMessage[]>();
  const fieldOf = new Map<ShownMessage, string | null>();
  const unplaced: ShownMessage[] = [];
  for (const m of model.messages) {
    let f = fieldForPath(m.path, fields, model);
    if (f && /^participants\.\d+\.name$/.test(f)) f = `${f}.en`;
    if (f && /^(participants|countries|sectors|budgets)\.\d+$/.test(f)) f = `${f}.${GROUP_FIELDS[f.split('.')[0] as GroupName].shown.find((x) => !(x in GROUP_FIELDS[f!.split('.')[0] as GroupName].defaults))}`;
    fieldOf.set(m, f);
    if (f) byField.set(f, [...(byField.get(f) ?? []), m]);
    else unplaced.push(m);
  }
  return { byField, unplaced, fieldOf };
}

function Messages({ page, name, messages }: { page: PageContext; name: string; messages: ShownMessage[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <div class="field-messages" id={`${fieldId(name)}-messages`}>
      {messages.map((m) => (
        <p class={`field-message severity-${m.severity}`}>
          <strong>{page.t(`activity.severity.${m.severity}`)}:</strong> {m.message}
          {m.hint && <span class="message-hint"> {m.hint}</span>}
        </p>
      ))}
    </div>
  );
}

const blocking = (ms: ShownMessage[] | undefined) => (ms ?? []).some((m) => m.severity !== 'warning');

function describedBy(name: string, hint: boolean, messages: ShownMessage[] | undefined): string | undefined {
  const ids = [hint && `${fieldId(name)}-hint`, messages && messages.length > 0 && `${fieldId(name)}-messages`].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

type FieldProps = {
  c: Ctx;
  name: string;
  label: string;
  hint?: string;
  lang?: string;
  autofocus?: boolean;
  class?: string;
  value?: string;
};

function Frame({ c, name, label, hint, children, class: cls }: FieldProps & { children: Child }) {
  const ms = c.shown.get(name);
  return (
    <div class={`field${cls ? ` ${cls}` : ''}${blocking(ms) ? ' field-invalid' : ms ? ' field-warned' : ''}`}>
      <label for={fieldId(name)}>{label}</label>
      {hint && (
        <p class="hint" id={`${fieldId(name)}-hint`}>
          {hint}
        </p>
      )}
      <Messages page={c.page} name={name} messages={ms} />
      {children}
    </div>
  );
}

function Input(props: FieldProps & { type?: 'text' | 'date' | 'number'; inputmode?: 'decimal' | 'numeric'; size?: number; maxlength?: number; autocomplete?: string }) {
  const { c, name } = props;
  const ms = c.shown.get(name);
  return (
    <Frame {...props}>
      <input
        type={props.type ?? 'text'}
        id={fieldId(name)}
        name={name}
        value={props.value ?? c.model.values[name] ?? ''}
        aria-invalid={blocking(ms) ? 'true' : undefined}
        aria-describedby={describedBy(name, !!props.hint, ms)}
        inputmode={props.inputmode}
        size={props.size}
        maxlength={props.maxlength}
        lang={props.lang}
        dir={props.lang ? direction(props.lang as never) : undefined}
        autofocus={props.autofocus}
        autocomplete={props.autocomplete ?? 'off'}
        step={props.type === 'number' ? 'any' : undefined}
      />
    </Frame>
  );
}

function TextArea(props: FieldProps & { rows?: number }) {
  const { c, name } = props;
  const ms = c.shown.get(name);
  return (
    <Frame {...props}>
      <textarea
        id={fieldId(name)}
        name={name}
        rows={props.rows ?? 4}
        aria-invalid={blocking(ms) ? 'true' : undefined}
        aria-describedby={describedBy(name, !!props.hint, ms)}
        lang={props.lang}
        dir={props.lang ? direction(props.lang as never) : undefined}
      >
        {props.value ?? c.model.values[name] ?? ''}
      </textarea>
    </Frame>
  );
}

function Select(props: FieldProps & { options: Option[]; blank?: string }) {
  const { c, name } = props;
  const ms = c.shown.get(name);
  const current = props.value ?? c.model.values[name] ?? '';
  const known = props.options.some((o) => o.value === current);
  return (
    <Frame {...props}>
      <select id={fieldId(name)} name={name} aria-invalid={blocking(ms) ? 'true' : undefined} aria-describedby={describedBy(name, !!props.hint, ms)} autofocus={props.autofocus}>
        {props.blank !== undefined && <option value="">{props.blank}</option>}
        {/* A stored code the list does not hold (withdrawn, or from an import) stays selectable. */}
        {current !== '' && !known && (
          <option value={current} selected>
            {current}
          </option>
        )}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
    </Frame>
  );
}

function Checkboxes({ c, name, legend, hint, options }: { c: Ctx; name: string; legend: string; hint?: string; options: (Option & { description?: string })[] }) {
  const chosen = new Set(c.model.multi[name] ?? []);
  const ms = c.shown.get(name);
  const extra = [...chosen].filter((v) => !options.some((o) => o.value === v));
  return (
    <fieldset class={`checkbox-group${blocking(ms) ? ' field-invalid' : ''}`} id={fieldId(name)} aria-describedby={describedBy(name, !!hint, ms)}>
      <legend>{legend}</legend>
      {hint && (
        <p class="hint" id={`${fieldId(name)}-hint`}>
          {hint}
        </p>
      )}
      <Messages page={c.page} name={name} messages={ms} />
      <div class="checkbox-list">
        {[...options, ...extra.map((v) => ({ value: v, label: v }))].map((o, i) => (
          <div class="checkbox">
            <input type="checkbox" id={`${fieldId(name)}-${i}`} name={name} value={o.value} checked={chosen.has(o.value)} />
            <label for={`${fieldId(name)}-${i}`}>{o.label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

function codelistOptions(c: Ctx, list: string, withCode = false): Option[] {
  const items = [...(c.choices.reference.codelists.get(list)?.items.values() ?? [])].filter((i) => !i.withdrawn);
  return items.map((i) => ({ value: i.code, label: withCode ? `${i.code} — ${pickText(i.names, c.page.lang) || i.code}` : pickText(i.names, c.page.lang) || i.code }));
}

function countryOptions(c: Ctx): Option[] {
  const collator = new Intl.Collator(c.page.lang);
  return [...c.choices.reference.countries.values()]
    .map((k) => ({ value: k.code, label: `${pickText(k.names, c.page.lang) || k.code} (${k.code})` }))
    .sort((a, b) => collator.compare(a.label, b.label));
}

function organizationOptions(c: Ctx, ids?: readonly string[]): Option[] {
  return c.choices.organizations.filter((o) => !ids || ids.includes(o.id)).map((o) => ({ value: o.id, label: `${o.acronym} — ${pickText(o.name, c.page.lang)}` }));
}

/** One row of a repeating group; `i` is a number, or the placeholder `__i__` in the template the script clones. */
function GroupRow({ c, g, i, focus }: { c: Ctx; g: GroupName; i: number | '__i__'; focus?: boolean }) {
  const { t } = c.page;
  const n = (f: string) => `${g}.${i}.${f}`;
  const legend = t(`activity.form.${g}.row`, { number: typeof i === 'number' ? i + 1 : '__n__' });
  const carried = GROUP_FIELDS[g].carried.filter((f) => (c.model.values[n(f)] ?? '') !== '');
  const blank = i === '__i__' || i >= c.model.rows[g];
  const val = (f: string) => (blank ? (GROUP_FIELDS[g].defaults[f] ?? '') : undefined);
  let fields: Child;
  if (g === 'participants') {
    fields = (
      <>
        <Select c={c} name={n('role')} label={t('activity.field.participantRole')} options={codelistOptions(c, 'OrganisationRole')} value={val('role')} autofocus={focus} />
        <Select c={c} name={n('organizationId')} label={t('activity.field.participantOrganization')} options={organizationOptions(c)} blank={t('activity.form.notRegistered')} value={val('organizationId')} />
        <Input c={c} name={n('name.en')} label={t('activity.field.participantName')} value={val('name.en')} />
        <Input c={c} name={n('ref')} label={t('activity.field.participantRef')} value={val('ref')} size={24} />
      </>
    );
  } else if (g === 'countries') {
    fields = (
      <>
        <Select c={c} name={n('code')} label={t('activity.field.country')} options={countryOptions(c)} blank={t('activity.form.choose')} value={val('code')} autofocus={focus} />
        <Input c={c} name={n('percentage')} label={t('activity.field.percentage')} inputmode="decimal" size={6} value={val('percentage')} class="field-narrow" />
      </>
    );
  } else if (g === 'sectors') {
    fields = (
      <>
        <Select c={c} name={n('vocabulary')} label={t('activity.field.sectorVocabulary')} options={codelistOptions(c, 'SectorVocabulary', true)} value={val('vocabulary')} autofocus={focus} />
        <Input c={c} name={n('code')} label={t('activity.field.sectorCode')} size={8} value={val('code')} class="field-narrow" />
        <Input c={c} name={n('percentage')} label={t('activity.field.percentage')} inputmode="decimal" size={6} value={val('percentage')} class="field-narrow" />
      </>
    );
  } else {
    fields = (
      <>
        <Input c={c} name={n('periodStart')} type="date" label={t('activity.field.periodStart')} value={val('periodStart')} autofocus={focus} />
        <Input c={c} name={n('periodEnd')} type="date" label={t('activity.field.periodEnd')} value={val('periodEnd')} />
        <Input c={c} name={n('value')} label={t('activity.field.budgetValue')} inputmode="decimal" size={12} value={val('value')} />
        <Select c={c} name={n('currency')} label={t('activity.field.currency')} options={codelistOptions(c, 'Currency', true)} blank={t('activity.form.defaultCurrency')} value={val('currency')} />
        <Select c={c} name={n('type')} label={t('activity.field.budgetType')} options={codelistOptions(c, 'BudgetType')} value={val('type')} />
        <Select c={c} name={n('status')} label={t('activity.field.budgetStatus')} options={codelistOptions(c, 'BudgetStatus')} value={val('status')} />
      </>
    );
  }
  return (
    <fieldset class="repeat-row" data-repeat-row id={typeof i === 'number' ? fieldId(`${g}.${i}`) : undefined}>
      <legend>{legend}</legend>
      <div class="form-grid">{fields}</div>
      {i !== '__i__' && !blank && carried.map((f) => <input type="hidden" name={n(f)} value={c.model.values[n(f)]} />)}
    </fieldset>
  );
}

function Group({ c, g }: { c: Ctx; g: GroupName }) {
  const { t } = c.page;
  const filled = c.model.rows[g];
  const total = filled + emptyRows(c.model, g);
  const ms = c.shown.get(g);
  return (
    <fieldset class="repeat-group" id={fieldId(g)} data-repeat-group={g} aria-describedby={`${fieldId(g)}-hint${ms ? ` ${fieldId(g)}-messages` : ''}`}>
      <legend>{t(`activity.form.${g}.legend`)}</legend>
      <p class="hint" id={`${fieldId(g)}-hint`}>
        {t(`activity.form.${g}.hint`)} {t('activity.form.emptyRowsIgnored')}
      </p>
      <Messages page={c.page} name={g} messages={ms} />
      <div class="repeat-rows" data-repeat-rows>
        {Array.from({ length: total }, (_, i) => (
          <GroupRow c={c} g={g} i={i} focus={c.model.added === g && i === filled} />
        ))}
      </div>
      <template data-row-template>
        <GroupRow c={c} g={g} i="__i__" />
      </template>
      <p class="repeat-actions">
        <button type="submit" name="_add" value={g} class="button button-secondary button-small" data-add-row>
          {t(`activity.form.${g}.add`)}
        </button>
      </p>
    </fieldset>
  );
}

function Summary({ c, placed }: { c: Ctx; placed: ReturnType<typeof placeMessages> }) {
  const { t } = c.page;
  const list = [...c.model.messages].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  if (list.length === 0) return null;
  const blockingCount = list.filter((m) => m.severity !== 'warning').length;
  return (
    <div class={blockingCount > 0 ? 'error-summary' : 'notice-panel'} role={blockingCount > 0 ? 'alert' : undefined} aria-labelledby="message-summary-title" tabindex={-1}>
      <h2 id="message-summary-title">{blockingCount > 0 ? t('activity.form.summaryErrors', { count: blockingCount }) : t('activity.form.summaryWarnings', { count: list.length })}</h2>
      <ul>
        {list.map((m) => {
          const f = placed.fieldOf.get(m);
          const text = (
            <>
              <strong>{t(`activity.severity.${m.severity}`)}:</strong> {m.message}
            </>
          );
          return <li class={`severity-${m.severity}`}>{f ? <a href={`#${fieldId(f)}`}>{text}</a> : <span>{text} <span class="meta">({t('activity.form.notInForm', { path: m.path })})</span></span>}</li>;
        })}
      </ul>
    </div>
  );
}

/**
 * A text in each of the six languages: the record's default language first and open, the
 * others in a disclosure that starts open when one of them holds text or a message.
 */
function LanguageFields({ c, prefix }: { c: Ctx; prefix: 'title' | 'description' }) {
  const { t } = c.page;
  const first = (LANGUAGES as readonly string[]).includes(c.model.values.defaultLanguage ?? '') ? (c.model.values.defaultLanguage as (typeof LANGUAGES)[number]) : 'en';
  const others = LANGUAGES.filter((l) => l !== first);
  const open = others.some((l) => (c.model.values[`${prefix}.${l}`] ?? '').trim() !== '' || c.shown.has(`${prefix}.${l}`));
  const field = (l: (typeof LANGUAGES)[number]) => {
    const label = t(`activity.field.${prefix}In`, { language: t(`language.${l}`) });
    return prefix === 'title' ? (
      <Input c={c} name={`${prefix}.${l}`} label={label} lang={l} maxlength={2000} />
    ) : (
      <TextArea c={c} name={`${prefix}.${l}`} label={label} lang={l} rows={l === first ? 5 : 3} />
    );
  };
  return (
    <div class="stack-fields">
      {field(first)}
      <details class="language-details" open={open}>
        <summary>{t(`activity.form.${prefix}Translations`)}</summary>
        <div class="stack-fields">{others.map(field)}</div>
      </details>
    </div>
  );
}

export type ActivityFormProps = {
  page: PageContext;
  model: FormModel;
  choices: ActivityFormChoices;
  action: string;
  mode: 'new' | 'edit';
  cancelHref: string;
};

/** The whole create/edit form. */
export function ActivityForm({ page, model, choices, action, mode, cancelHref }: ActivityFormProps) {
  const { t } = page;
  const placed = placeMessages(model);
  const c: Ctx = { page, model, choices, shown: placed.byField };
  const owners = organizationOptions(c, choices.ownerIds.includes(model.values.ownerOrganizationId ?? '') || !model.values.ownerOrganizationId ? choices.ownerIds : [...choices.ownerIds, model.values.ownerOrganizationId!]);
  const terms = (taxonomy: string) =>
    choices.reference.terms(taxonomy).map((term) => ({ value: term.code, label: pickText(term.labels, page.lang) || term.code }));
  return (
    <>
      <Summary c={c} placed={placed} />
      <form method="post" action={action} class="stack form-wide activity-form" novalidate data-activity-form data-remove-label={t('activity.form.removeRow')}>
        {/* The first submit button is the default one: pressing Enter saves rather than adding a row. */}
        <div class="visually-hidden" aria-hidden="true">
          <button type="submit" tabindex={-1}>
            {t('activity.form.save')}
          </button>
        </div>
        <Csrf page={page} />
        {mode === 'edit' && <input type="hidden" name="version" value={model.values.version ?? ''} />}

        <fieldset>
          <legend>{t('activity.form.titles')}</legend>
          <p class="hint">{t('activity.form.titlesHint')}</p>
          <LanguageFields c={c} prefix="title" />
        </fieldset>

        <fieldset>
          <legend>{t('activity.form.descriptions')}</legend>
          <LanguageFields c={c} prefix="description" />
        </fieldset>

        <fieldset>
          <legend>{t('activity.form.ownership')}</legend>
          <div class="form-grid">
            <Select c={c} name="ownerOrganizationId" label={t('activity.field.owner')} options={owners} hint={t('activity.form.ownerHint')} />
            <Select
              c={c}
              name="visibility"
              label={t('activity.field.visibility')}
              options={VISIBILITIES.map((v) => ({ value: v, label: t(`activity.visibility.${v}`) }))}
              hint={t('activity.form.visibilityHint')}
            />
            <Input c={c} name="iatiIdentifier" label={t('activity.field.iatiIdentifier')} hint={t('activity.form.iatiIdentifierHint')} maxlength={250} />
            <Select c={c} name="defaultLanguage" label={t('activity.field.defaultLanguage')} options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))} />
          </div>
          <Checkboxes c={c} name="sharedWith" legend={t('activity.field.sharedWith')} hint={t('activity.form.sharedWithHint')} options={organizationOptions(c)} />
        </fieldset>

        <fieldset>
          <legend>{t('activity.form.statusDates')}</legend>
          <div class="form-grid">
            <Select c={c} name="status" label={t('activity.field.status')} options={codelistOptions(c, 'ActivityStatus')} blank={t('activity.form.choose')} />
            <Select c={c} name="defaultCurrency" label={t('activity.field.defaultCurrency')} options={codelistOptions(c, 'Currency', true)} blank={t('activity.form.none')} />
            <Input c={c} name="plannedStart" type="date" label={t('activity.field.plannedStart')} />
            <Input c={c} name="plannedEnd" type="date" label={t('activity.field.plannedEnd')} />
            <Input c={c} name="actualStart" type="date" label={t('activity.field.actualStart')} />
            <Input c={c} name="actualEnd" type="date" label={t('activity.field.actualEnd')} />
          </div>
        </fieldset>

        {GROUPS.map((g) => (
          <Group c={c} g={g} />
        ))}

        <fieldset id={fieldId('classification')}>
          <legend>{t('activity.form.classification')}</legend>
          <p class="hint">{t('activity.form.classificationHint')}</p>
          {CLASSIFICATION_KEYS.map((k) => (
            <Checkboxes c={c} name={`classification.${k}`} legend={t(`activity.field.classification.${k}`)} options={terms(CLASSIFICATION_TAXONOMIES[k])} />
          ))}
        </fieldset>

        <div class="form-actions">
          <button type="submit" class="button">
            {t('activity.form.save')}
          </button>
          <button type="submit" name="_draft" value="1" class="button button-secondary">
            {t('activity.form.saveDraft')}
          </button>
          <a class="button button-secondary" href={cancelHref}>
            {t('activity.form.cancel')}
          </a>
        </div>
      </form>
      <script type="module" src={page.asset('activity-form.js')} />
    </>
  );
}

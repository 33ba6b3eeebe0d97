import type { Child } from 'hono/jsx';
import type { AppError, ErrorCode, FieldError } from '../../../domain/errors.ts';
import type { Translate } from '../../../i18n/i18n.ts';
import { toAppError } from '../../problem.ts';
import type { PageContext } from '../page-context.ts';

/** What a form shows: the values to fill in and the error next to each field, by field name. */
export type FormState = {
  values: Record<string, string | undefined>;
  errors: Record<string, string>;
};

export const emptyForm = (values: Record<string, string | undefined> = {}): FormState => ({ values, errors: {} });

/** The id an input gets from its field name (`name.en` → `f-name-en`), so errors can link to it. */
export const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

const CODE_KEYS: Record<string, string> = {
  invalid_type: 'form.error.invalid',
  too_small: 'form.error.tooSmall',
  too_big: 'form.error.tooBig',
  invalid_format: 'form.error.format',
  invalid_value: 'form.error.choice',
  unrecognized_keys: 'form.error.invalid',
};

/**
 * A field error in the page language. The domain speaks English; for other languages the
 * error's code picks a translated message. English pages keep the domain's own wording,
 * which is usually more precise.
 */
export function fieldMessage(t: Translate, lang: string, f: FieldError, err?: AppError): string {
  if (err?.code === 'CONFLICT') return t('form.error.duplicate');
  if (lang === 'en' && f.message && !/^(Invalid input|Too (small|big)|Expected)/i.test(f.message)) return f.message;
  const key = (f.code && CODE_KEYS[f.code]) ?? 'form.error.invalid';
  return t(key);
}

/**
 * The error as an AppError when it is one of the expected, user-correctable kinds (a domain
 * function's zod validation included); undefined for anything else, which the caller rethrows.
 */
export function expectedError(err: unknown, codes: readonly ErrorCode[]): AppError | undefined {
  const e = toAppError(err);
  return codes.includes(e.code) ? e : undefined;
}

/** Turns an AppError's field list into messages keyed by form field name. */
export function formErrors(t: Translate, lang: string, err: AppError, rename: (path: string) => string = (p) => p): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of err.fields) {
    const name = rename(f.path);
    out[name] ??= fieldMessage(t, lang, f, err);
  }
  return out;
}

/** The hidden anti-forgery field every POST form carries. */
export function Csrf({ page }: { page: PageContext }) {
  return <input type="hidden" name="_csrf" value={page.csrfToken} />;
}

/** A required file input with its hint and, after a refused upload, the error, both tied to it for screen readers. */
export function FileField({ t, id, label, hint, accept, error }: { t: Translate; id: string; label: string; hint: string; accept: string; error?: string }) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
      {error && (
        <p class="error" id={`${id}-error`}>
          <span class="visually-hidden">{t('form.errorPrefix')} </span>
          {error}
        </p>
      )}
      <input type="file" id={id} name="file" accept={accept} required aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`} aria-invalid={error ? 'true' : undefined} />
    </div>
  );
}

/** A box at the top of a form listing what to fix, each linking to its field. */
export function ErrorSummary({ t, form, labels }: { t: Translate; form: FormState; labels: Record<string, string> }) {
  const names = Object.keys(form.errors);
  if (names.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex={-1}>
      <h2 id="error-summary-title">{t('form.errorSummary')}</h2>
      <ul>
        {names.map((n) => (
          <li>
            <a href={`#${fieldId(n)}`}>
              {labels[n] ? `${labels[n]}: ` : ''}
              {form.errors[n]}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

type FieldProps = {
  form: FormState;
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
  lang?: string;
  dir?: 'rtl' | 'ltr' | 'auto';
  class?: string;
};

function describedBy(name: string, hint: string | undefined, error: string | undefined): string | undefined {
  const ids = [hint && `${fieldId(name)}-hint`, error && `${fieldId(name)}-error`].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function FieldFrame({ props, children, t }: { props: FieldProps; children: Child; t?: Translate }) {
  const error = props.form.errors[props.name];
  return (
    <div class={`field${props.class ? ` ${props.class}` : ''}${error ? ' field-invalid' : ''}`}>
      <label for={fieldId(props.name)}>
        {props.label}
        {props.required && t && <span class="required"> ({t('form.required')})</span>}
      </label>
      {props.hint && (
        <p class="hint" id={`${fieldId(props.name)}-hint`}>
          {props.hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${fieldId(props.name)}-error`}>
          <span class="visually-hidden">{t ? `${t('form.errorPrefix')} ` : ''}</span>
          {error}
        </p>
      )}
      {children}
    </div>
  );
}

/** A labelled text input with its hint and error. */
export function TextField(
  props: FieldProps & { t?: Translate; type?: 'text' | 'email' | 'url' | 'number' | 'search' | 'password' | 'date'; autocomplete?: string; inputmode?: 'numeric' | 'decimal' | 'email' | 'url' | 'text'; maxlength?: number; size?: number },
) {
  const error = props.form.errors[props.name];
  return (
    <FieldFrame props={props} t={props.t}>
      <input
        type={props.type ?? 'text'}
        id={fieldId(props.name)}
        name={props.name}
        value={props.form.values[props.name] ?? ''}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        maxlength={props.maxlength}
        size={props.size}
        lang={props.lang}
        dir={props.dir}
      />
    </FieldFrame>
  );
}

/** A labelled multi-line input. */
export function TextArea(props: FieldProps & { t?: Translate; rows?: number }) {
  const error = props.form.errors[props.name];
  return (
    <FieldFrame props={props} t={props.t}>
      <textarea
        id={fieldId(props.name)}
        name={props.name}
        rows={props.rows ?? 3}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
        lang={props.lang}
        dir={props.dir}
      >
        {props.form.values[props.name] ?? ''}
      </textarea>
    </FieldFrame>
  );
}

/** A labelled drop-down list. */
export function SelectField(props: FieldProps & { t?: Translate; options: { value: string; label: string }[] }) {
  const error = props.form.errors[props.name];
  const current = props.form.values[props.name] ?? '';
  return (
    <FieldFrame props={props} t={props.t}>
      <select
        id={fieldId(props.name)}
        name={props.name}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      >
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A small POST form with one button, for actions such as archive or revoke. */
export function ActionButton({
  page,
  action,
  label,
  variant,
  hidden,
  describedBy: described,
}: {
  page: PageContext;
  action: string;
  label: string;
  variant?: 'danger' | 'secondary' | 'link';
  hidden?: Record<string, string>;
  describedBy?: string;
}) {
  const cls = variant === 'link' ? 'link-button' : `button${variant ? ` button-${variant}` : ''} button-small`;
  return (
    <form method="post" action={action} class="inline-form">
      <Csrf page={page} />
      {Object.entries(hidden ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class={cls} aria-describedby={described}>
        {label}
      </button>
    </form>
  );
}

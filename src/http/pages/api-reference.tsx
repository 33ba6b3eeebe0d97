import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { ERROR_CODES } from '../../domain/errors.ts';
import { TOKEN_SCOPES } from '../../domain/actor.ts';
import { buildApi, openApiDocument } from '../api/index.ts';
import type { AppEnv } from '../env.ts';
import { STATUS_BY_CODE } from '../problem.ts';
import { formatNumber } from './format.ts';
import type { PageContext } from './page-context.ts';
import { renderPage } from './render.tsx';

/** The parts of an OpenAPI 3.1 document this page reads. */
type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  description?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  example?: unknown;
  const?: unknown;
};
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Response = { description?: string; content?: Record<string, { schema?: Schema }> };
type Operation = {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, Response>;
  security?: Record<string, string[]>[];
};
type Document = {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

let cached: Document | undefined;
/** The same document /api/v1/openapi.json serves, built once. */
function apiDocument(): Document {
  cached ??= openApiDocument(buildApi()) as unknown as Document;
  return cached;
}

const refName = (ref: string) => ref.split('/').at(-1) ?? ref;
const schemaAnchor = (name: string) => `schema-${name}`;
const operationAnchor = (method: string, path: string, op: Operation) =>
  op.operationId ?? `${method}-${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;

/** Inline `code` in descriptions, the only Markdown the API descriptions use. */
function Prose({ text }: { text: string | undefined }) {
  if (!text) return null;
  const parts = text.split('`');
  return <>{parts.map((p, i) => (i % 2 === 1 ? <code>{p}</code> : p))}</>;
}

/** A short human reading of a schema's type: `string | null`, `array of Organization`, … */
function TypeLabel({ schema, t }: { schema: Schema | undefined; t: PageContext['t'] }): Child {
  if (!schema) return <span>any</span>;
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return <a href={`#${schemaAnchor(name)}`}>{name}</a>;
  }
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    return (
      <>
        {variants.map((v, i) => (
          <>
            {i > 0 && ' | '}
            <TypeLabel schema={v} t={t} />
          </>
        ))}
      </>
    );
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes('array')) {
    const rest = types.filter((x) => x !== 'array');
    return (
      <>
        {t('apiRef.arrayOf')} <TypeLabel schema={schema.items} t={t} />
        {rest.length > 0 && ` | ${rest.join(' | ')}`}
      </>
    );
  }
  if (types.length === 0) return <span>{schema.const !== undefined ? JSON.stringify(schema.const) : 'any'}</span>;
  return <span>{types.join(' | ')}</span>;
}

/** Constraints worth knowing when calling: allowed values, lengths, ranges, formats, defaults. */
function constraints(t: PageContext['t'], s: Schema): string[] {
  const out: string[] = [];
  if (s.enum) out.push(t('apiRef.oneOf', { values: s.enum.map((v) => String(v)).join(', ') }));
  if (s.format) out.push(t('apiRef.format', { format: s.format }));
  if (s.minLength && s.maxLength !== undefined) out.push(t('apiRef.length', { min: s.minLength, max: s.maxLength }));
  else if (s.maxLength !== undefined) out.push(t('apiRef.maxLength', { max: s.maxLength }));
  else if (s.minLength) out.push(t('apiRef.minLength', { min: s.minLength }));
  if (s.minimum !== undefined && s.maximum !== undefined) out.push(t('apiRef.range', { min: s.minimum, max: s.maximum }));
  else if (s.minimum !== undefined) out.push(t('apiRef.minimum', { min: s.minimum }));
  else if (s.maximum !== undefined) out.push(t('apiRef.maximum', { max: s.maximum }));
  if (s.maxItems !== undefined) out.push(t('apiRef.maxItems', { max: s.maxItems }));
  if (s.pattern) out.push(t('apiRef.pattern', { pattern: s.pattern }));
  if (s.default !== undefined) out.push(t('apiRef.default', { value: JSON.stringify(s.default) }));
  if (s.items && !s.items.$ref && !s.items.properties) {
    const each = constraints(t, s.items);
    if (each.length > 0) out.push(t('apiRef.each', { rules: each.join('; ') }));
  }
  return out;
}

type FieldRow = { name: string; schema: Schema; required: boolean };

/** Flattens an object schema into dotted field rows (`name.en`), following inline objects and array items. */
function fieldRows(doc: Document, schema: Schema | undefined, prefix = '', depth = 0): FieldRow[] {
  if (!schema || depth > 4) return [];
  const resolved = schema.$ref && depth === 0 ? doc.components?.schemas?.[refName(schema.$ref)] : schema;
  if (!resolved) return [];
  const all = resolved.allOf ? resolved.allOf.map((s) => (s.$ref ? doc.components?.schemas?.[refName(s.$ref)] ?? {} : s)) : [resolved];
  const rows: FieldRow[] = [];
  for (const part of all) {
    for (const [key, prop] of Object.entries(part.properties ?? {})) {
      const name = prefix ? `${prefix}.${key}` : key;
      rows.push({ name, schema: prop, required: (part.required ?? []).includes(key) });
      if (!prop.$ref && prop.properties) rows.push(...fieldRows(doc, prop, name, depth + 1));
      const itemType = prop.items;
      if (itemType && !itemType.$ref && itemType.properties) rows.push(...fieldRows(doc, itemType, `${name}[]`, depth + 1));
    }
  }
  return rows;
}

function FieldTable({ page, rows, caption }: { page: PageContext; rows: FieldRow[]; caption: string }) {
  const { t } = page;
  if (rows.length === 0) return <p class="meta">{t('apiRef.noFields')}</p>;
  return (
    <div class="table-wrap" tabindex={0}>
      <table class="api-fields">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('apiRef.field')}</th>
            <th scope="col">{t('apiRef.type')}</th>
            <th scope="col">{t('apiRef.details')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">
                <code>{r.name}</code>
                {r.required && <span class="badge badge-required">{t('apiRef.required')}</span>}
              </th>
              <td>
                <TypeLabel schema={r.schema} t={t} />
              </td>
              <td>
                <Prose text={r.schema.description} />
                {constraints(t, r.schema).length > 0 && (
                  <ul class="constraints">
                    {constraints(t, r.schema).map((x) => (
                      <li>{x}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OperationBlock({ page, doc, method, path, op }: { page: PageContext; doc: Document; method: string; path: string; op: Operation }) {
  const { t } = page;
  const anchor = operationAnchor(method, path, op);
  const params = op.parameters ?? [];
  const body = op.requestBody?.content ? Object.entries(op.requestBody.content)[0] : undefined;
  const responses = Object.entries(op.responses ?? {});
  return (
    <article class="api-op" id={anchor} aria-labelledby={`${anchor}-title`}>
      <h3 id={`${anchor}-title`} class="api-op-title">
        <span class={`method method-${method}`}>{method.toUpperCase()}</span> <code class="api-path">/api/v1{path}</code>
      </h3>
      {op.summary && <p class="api-summary">{op.summary}</p>}
      {op.description && (
        <p>
          <Prose text={op.description} />
        </p>
      )}
      {params.length > 0 && (
        <>
          <h4>{t('apiRef.parameters')}</h4>
          <div class="table-wrap" tabindex={0}>
            <table class="api-fields">
              <caption class="visually-hidden">{t('apiRef.parametersOf', { op: `${method.toUpperCase()} ${path}` })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('apiRef.name')}</th>
                  <th scope="col">{t('apiRef.in')}</th>
                  <th scope="col">{t('apiRef.type')}</th>
                  <th scope="col">{t('apiRef.details')}</th>
                </tr>
              </thead>
              <tbody>
                {params.map((p) => (
                  <tr>
                    <th scope="row">
                      <code>{p.name}</code>
                      {p.required && <span class="badge badge-required">{t('apiRef.required')}</span>}
                    </th>
                    <td>{t(`apiRef.location.${p.in}`, { defaultValue: p.in })}</td>
                    <td>
                      <TypeLabel schema={p.schema} t={t} />
                    </td>
                    <td>
                      <Prose text={p.description ?? p.schema?.description} />
                      {p.schema && constraints(t, p.schema).length > 0 && (
                        <ul class="constraints">
                          {constraints(t, p.schema).map((x) => (
                            <li>{x}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {body && (
        <>
          <h4>
            {t('apiRef.requestBody')} <code class="media-type">{body[0]}</code>
            {body[1].schema?.$ref && (
              <>
                {' '}
                <span class="meta">
                  (<TypeLabel schema={body[1].schema} t={t} />)
                </span>
              </>
            )}
          </h4>
          <FieldTable page={page} rows={fieldRows(doc, body[1].schema)} caption={t('apiRef.bodyOf', { op: `${method.toUpperCase()} ${path}` })} />
        </>
      )}
      <h4>{t('apiRef.responses')}</h4>
      <dl class="api-responses">
        {responses.map(([status, r]) => {
          const content = r.content ? Object.entries(r.content)[0] : undefined;
          return (
            <div class={status.startsWith('2') ? 'ok' : 'problem'}>
              <dt>
                <span class="status-code">{status}</span>
              </dt>
              <dd>
                <Prose text={r.description} />
                {content && (
                  <>
                    {' — '}
                    <code class="media-type">{content[0]}</code>
                    {content[1].schema && (
                      <>
                        {' '}
                        <TypeLabel schema={content[1].schema} t={t} />
                      </>
                    )}
                  </>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    </article>
  );
}

/** The API reference, rendered on the server from the OpenAPI document: no script, no CDN. */
export async function apiReferencePage(c: Context<AppEnv>) {
  const t = c.get('t');
  const doc = apiDocument();
  const baseUrl = c.get('services').config.baseUrl;
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m, path, op: item[m]! })),
  );
  const tags = [...new Set(operations.map((o) => o.op.tags?.[0] ?? 'Other'))].sort();
  const schemas = Object.entries(doc.components?.schemas ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const problem = doc.components?.schemas?.Problem;

  return renderPage(c, { title: t('apiRef.title'), description: t('apiRef.lead') }, (page) => (
    <div class="with-sidebar">
      <nav class="sidebar toc" aria-labelledby="toc-title">
        <h2 id="toc-title" class="sidebar-title">
          {t('apiRef.contents')}
        </h2>
        <ul>
          <li>
            <a href="#start">{t('apiRef.start')}</a>
          </li>
          <li>
            <a href="#authentication">{t('apiRef.authentication')}</a>
          </li>
          <li>
            <a href="#errors">{t('apiRef.errors')}</a>
          </li>
          <li>
            <a href="#pagination">{t('apiRef.pagination')}</a>
          </li>
          {tags.map((tag) => (
            <li>
              <a href={`#tag-${tag.replace(/\W+/g, '-')}`}>{tag}</a>
              <ul>
                {operations
                  .filter((o) => (o.op.tags?.[0] ?? 'Other') === tag)
                  .map((o) => (
                    <li>
                      <a href={`#${operationAnchor(o.method, o.path, o.op)}`}>
                        <span class={`method method-${o.method} method-small`}>{o.method.toUpperCase()}</span> {o.op.summary ?? o.path}
                      </a>
                    </li>
                  ))}
              </ul>
            </li>
          ))}
          <li>
            <a href="#schemas">{t('apiRef.schemas')}</a>
          </li>
        </ul>
      </nav>

      <div class="sidebar-content api-reference">
        <p class="eyebrow">{t('apiRef.eyebrow', { version: doc.info.version })}</p>
        <h1>{t('apiRef.title')}</h1>
        <p class="lead">{t('apiRef.lead')}</p>

        <section id="start" aria-labelledby="start-title">
          <h2 id="start-title">{t('apiRef.start')}</h2>
          <dl class="facts facts-compact">
            <div>
              <dt>{t('apiRef.baseUrl')}</dt>
              <dd>
                <code>{baseUrl}/api/v1</code>
              </dd>
            </div>
            <div>
              <dt>{t('apiRef.document')}</dt>
              <dd>
                <a href="/api/v1/openapi.json">
                  <code>/api/v1/openapi.json</code>
                </a>{' '}
                <span class="meta">(OpenAPI 3.1)</span>
              </dd>
            </div>
            <div>
              <dt>{t('apiRef.operationCount')}</dt>
              <dd>{formatNumber(page.lang, operations.length)}</dd>
            </div>
          </dl>
          <p>{t('apiRef.formats')}</p>
          <pre class="code-block">
            <code>{`curl ${baseUrl}/api/v1/organizations?kind=member&limit=5`}</code>
          </pre>
        </section>

        <section id="authentication" aria-labelledby="auth-title">
          <h2 id="auth-title">{t('apiRef.authentication')}</h2>
          <p>{t('apiRef.authPublic')}</p>
          <p>{t('apiRef.authToken')}</p>
          <pre class="code-block">
            <code>{`curl -H "Authorization: Bearer icat_…" ${baseUrl}/api/v1/me`}</code>
          </pre>
          <p>{t('apiRef.authScopes')}</p>
          <ul>
            {TOKEN_SCOPES.map((s) => (
              <li>
                <code>{s}</code> — {t(`apiRef.scope.${s}`)}
              </li>
            ))}
          </ul>
          <p>{t('apiRef.authBrowser')}</p>
        </section>

        <section id="errors" aria-labelledby="errors-title">
          <h2 id="errors-title">{t('apiRef.errors')}</h2>
          <p>{t('apiRef.errorsLead')}</p>
          <pre class="code-block">
            <code>
              {JSON.stringify(
                {
                  type: `${baseUrl}/api/v1/problems#validation-failed`,
                  title: 'Validation failed',
                  status: 422,
                  code: 'VALIDATION_FAILED',
                  detail: 'Some fields are not valid.',
                  instance: '/api/v1/organizations',
                  requestId: '6f1c…',
                  errors: [{ path: 'name.en', message: 'Too small: expected string to have >=1 characters', code: 'too_small' }],
                },
                null,
                2,
              )}
            </code>
          </pre>
          {problem && <FieldTable page={page} rows={fieldRows(doc, problem)} caption={t('apiRef.problemFields')} />}
          <h3>{t('apiRef.codes')}</h3>
          <div class="table-wrap" tabindex={0}>
            <table>
              <caption class="visually-hidden">{t('apiRef.codes')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('apiRef.code')}</th>
                  <th scope="col">{t('apiRef.status')}</th>
                  <th scope="col">{t('apiRef.meaning')}</th>
                </tr>
              </thead>
              <tbody>
                {ERROR_CODES.map((code) => (
                  <tr id={`problem-${code.toLowerCase().replace(/_/g, '-')}`}>
                    <th scope="row">
                      <code>{code}</code>
                    </th>
                    <td>{STATUS_BY_CODE[code]}</td>
                    <td>{t(`errors.${code.toLowerCase()}.title`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        <section id="pagination" aria-labelledby="pagination-title">
          <h2 id="pagination-title">{t('apiRef.pagination')}</h2>
          <p>{t('apiRef.paginationBody')}</p>
          <p>{t('apiRef.concurrency')}</p>
        </section>

        {tags.map((tag) => (
          <section id={`tag-${tag.replace(/\W+/g, '-')}`} aria-labelledby={`tag-${tag.replace(/\W+/g, '-')}-title`} class="api-tag">
            <h2 id={`tag-${tag.replace(/\W+/g, '-')}-title`}>{tag}</h2>
            {operations
              .filter((o) => (o.op.tags?.[0] ?? 'Other') === tag)
              .map((o) => (
                <OperationBlock page={page} doc={doc} method={o.method} path={o.path} op={o.op} />
              ))}
          </section>
        ))}

        <section id="schemas" aria-labelledby="schemas-title">
          <h2 id="schemas-title">{t('apiRef.schemas')}</h2>
          {schemas.map(([name, schema]) => (
            <section id={schemaAnchor(name)} aria-labelledby={`${schemaAnchor(name)}-title`} class="api-schema">
              <h3 id={`${schemaAnchor(name)}-title`}>
                <code>{name}</code>
              </h3>
              {schema.description && (
                <p>
                  <Prose text={schema.description} />
                </p>
              )}
              <FieldTable page={page} rows={fieldRows(doc, schema)} caption={t('apiRef.schemaFields', { name })} />
            </section>
          ))}
        </section>
      </div>
    </div>
  ));
}

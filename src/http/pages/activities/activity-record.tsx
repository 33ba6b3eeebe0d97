import type { Child } from 'hono/jsx';
import type { ActivityView } from '../../../domain/activities/get-activity.ts';
import { CLASSIFICATION_TAXONOMIES, type Activity, type Narrative } from '../../../domain/activities/activity-schemas.ts';
import { CLASSIFICATION_KEYS } from '../../../domain/activities/activity-mapping.ts';
import { LANGUAGES, type Language } from '../../../domain/languages.ts';
import { direction } from '../../../i18n/i18n.ts';
import { ActionButton, Csrf } from '../components/form.tsx';
import { formatDate, formatDateTime, formatList, isoDate } from '../format.ts';
import type { PageContext } from '../page-context.ts';
import { formatMoney, formatPercent } from './activity-format.ts';
import { Breadcrumb } from '../components/breadcrumb.tsx';

/** Text in the page language, else in the record's default language, else English, else any; with the language it is in. */
export function pickLocalized(n: Narrative | undefined, lang: Language, defaultLanguage: string): { text: string; lang: Language } | null {
  if (!n) return null;
  const order = [lang, defaultLanguage, 'en', ...LANGUAGES] as Language[];
  for (const l of order) {
    const v = n[l];
    if (v) return { text: v, lang: l };
  }
  return null;
}

/**
 * A text in the page language when the record has it; otherwise in another language, marked
 * with its `lang` (so screen readers switch voice) and a note saying which language it is in.
 */
export function Localized({ page, text, defaultLanguage, as = 'p', class: cls }: { page: PageContext; text: Narrative | undefined; defaultLanguage: string; as?: 'p' | 'span' | 'h1' | 'div'; class?: string }) {
  const picked = pickLocalized(text, page.lang, defaultLanguage);
  if (!picked) return null;
  const Tag = as;
  const other = picked.lang !== page.lang;
  const paragraphs = as === 'div' ? picked.text.split(/\n{2,}/) : null;
  return (
    <>
      <Tag class={cls} lang={other ? picked.lang : undefined} dir={other ? direction(picked.lang) : undefined}>
        {paragraphs ? paragraphs.map((p) => <p>{p}</p>) : picked.text}
      </Tag>
      {other && <p class="meta language-note">{page.t('activity.record.languageNote', { language: page.t(`language.${picked.lang}`) })}</p>}
    </>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: Child }) {
  return (
    <section class="record-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

const pick = (n: Narrative | undefined, lang: Language, def: string) => pickLocalized(n, lang, def)?.text ?? '';

function Fact({ label, children }: { label: string; children: Child }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const SEVERITY_RANK = { critical: 0, error: 1, warning: 2 } as const;

/** The graded validation messages of a record, for its editors. */
export function RecordMessages({ page, view }: { page: PageContext; view: ActivityView }) {
  const { t } = page;
  if (view.messages.length === 0) return null;
  const blocking = view.messages.filter((m) => m.severity !== 'warning').length;
  return (
    <section class={blocking > 0 ? 'error-summary' : 'notice-panel'} aria-labelledby="record-messages-title">
      <h2 id="record-messages-title">{t('activity.record.messagesTitle', { count: view.messages.length })}</h2>
      <p>{blocking > 0 ? t('activity.record.messagesBlocking') : t('activity.record.messagesWarnings')}</p>
      <ul>
        {[...view.messages].sort((x, y) => SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity]).map((m) => (
          <li class={`severity-${m.severity}`}>
            <strong>{t(`activity.severity.${m.severity}`)}:</strong> {m.message} {m.hint && <span class="message-hint">{m.hint}</span>} <code class="meta">{m.path}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Everything about one activity, readable by the public when the record is public, and printable. */
export function ActivityRecord({ page, view }: { page: PageContext; view: ActivityView }) {
  const { t, lang } = page;
  const a: Activity = view.activity;
  const ref = view.reference;
  const def = a.defaultLanguage;
  const org = (id: string | null | undefined) => (id ? view.organizations[id] : undefined);
  const owner = org(a.ownerOrganizationId);
  const orgLink = (id: string) => {
    const o = org(id);
    return o ? (
      <a href={`/members/${o.slug}`}>
        {pick(o.name, lang, 'en') || o.acronym} <span class="acronym-inline">({o.acronym})</span>
      </a>
    ) : (
      <code>{id}</code>
    );
  };
  const totals = new Map<string, number>();
  for (const b of a.budgets) {
    const cur = b.currency ?? a.defaultCurrency ?? '';
    totals.set(cur, (totals.get(cur) ?? 0) + b.value);
  }
  const hasClassification = CLASSIFICATION_KEYS.some((k) => a.classification[k].length > 0);
  return (
    <article class="activity-record">
      <Breadcrumb t={t} trail={[{ href: '/activities', label: t('activity.record.breadcrumb') }]} here={pickLocalized(a.title, lang, def)?.text ?? a.iatiIdentifier ?? a.id} />
      <header class="record-header">
        <p class="eyebrow">
          {owner ? owner.acronym : a.ownerOrganization.acronym}
          {a.status && <span class="badge badge-info">{ref.label('ActivityStatus', a.status, lang)}</span>}
          {a.visibility !== 'public' && <span class="badge badge-muted">{t(`activity.visibility.${a.visibility}`)}</span>}
          {a.deletedAt && <span class="badge badge-danger">{t('activity.record.deleted')}</span>}
        </p>
        <Localized page={page} text={a.title} defaultLanguage={def} as="h1" />
        {!pickLocalized(a.title, lang, def) && <h1>{t('activity.record.untitled')}</h1>}
        <div class="header-actions">
          {view.abilities.edit && (
            <a class="button button-small" href={`/activities/${a.id}/edit`}>
              {t('activity.record.edit')}
            </a>
          )}
          {view.abilities.history && (
            <a class="button button-secondary button-small" href={`/activities/${a.id}/history`}>
              {t('activity.record.history')}
            </a>
          )}
          {view.abilities.delete && <ActionButton page={page} action={`/activities/${a.id}/delete`} label={t('activity.record.delete')} variant="danger" hidden={{ version: String(a.version) }} />}
          {view.abilities.restore && <ActionButton page={page} action={`/activities/${a.id}/restore`} label={t('activity.record.restore')} hidden={{ version: String(a.version) }} />}
        </div>
      </header>

      {a.deletedAt && (
        <p class="flash flash-error" role="status">
          {t('activity.record.deletedNote', { date: formatDateTime(lang, a.deletedAt) })}
        </p>
      )}
      <RecordMessages page={page} view={view} />

      <Localized page={page} text={a.description} defaultLanguage={def} as="div" class="lead record-description" />

      <dl class="facts">
        <Fact label={t('activity.field.owner')}>{orgLink(a.ownerOrganizationId)}</Fact>
        {a.iatiIdentifier && (
          <Fact label={t('activity.field.iatiIdentifier')}>
            <code>{a.iatiIdentifier}</code>
          </Fact>
        )}
        {a.status && <Fact label={t('activity.field.status')}>{ref.label('ActivityStatus', a.status, lang)}</Fact>}
        {(a.plannedStart || a.plannedEnd) && (
          <Fact label={t('activity.record.plannedDates')}>
            <time datetime={a.plannedStart ?? undefined}>{formatDate(lang, a.plannedStart) || '…'}</time> – <time datetime={a.plannedEnd ?? undefined}>{formatDate(lang, a.plannedEnd) || '…'}</time>
          </Fact>
        )}
        {(a.actualStart || a.actualEnd) && (
          <Fact label={t('activity.record.actualDates')}>
            <time datetime={a.actualStart ?? undefined}>{formatDate(lang, a.actualStart) || '…'}</time> – <time datetime={a.actualEnd ?? undefined}>{formatDate(lang, a.actualEnd) || '…'}</time>
          </Fact>
        )}
        {a.activityScope && <Fact label={t('activity.field.activityScope')}>{ref.label('ActivityScope', a.activityScope, lang)}</Fact>}
        {(a.reportingOrg?.ref || Object.keys(a.reportingOrg?.name ?? {}).length > 0) && (
          <Fact label={t('activity.field.reportingOrg')}>
            {pick(a.reportingOrg?.name, lang, def)} {a.reportingOrg?.ref && <code>{a.reportingOrg.ref}</code>}
          </Fact>
        )}
        {a.visibility === 'restricted' && a.sharedWith.length > 0 && (
          <Fact label={t('activity.field.sharedWith')}>{formatList(lang, a.sharedWith.map((id) => org(id)?.acronym ?? id))}</Fact>
        )}
        <Fact label={t('activity.record.lastUpdated')}>
          <time datetime={isoDate(a.updatedAt)}>{formatDate(lang, a.updatedAt)}</time> · {t('activity.record.version', { version: a.version })}
        </Fact>
      </dl>

      {(Object.keys(a.objectives ?? {}).length > 0 || Object.keys(a.targetGroupsText ?? {}).length > 0) && (
        <Section id="objectives" title={t('activity.record.objectives')}>
          <Localized page={page} text={a.objectives} defaultLanguage={def} as="div" />
          {Object.keys(a.targetGroupsText ?? {}).length > 0 && (
            <>
              <h3>{t('activity.field.targetGroupsText')}</h3>
              <Localized page={page} text={a.targetGroupsText} defaultLanguage={def} as="div" />
            </>
          )}
        </Section>
      )}

      <Section id="organizations" title={t('activity.record.organizations')}>
        {a.participants.length === 0 ? (
          <p class="empty">{t('activity.record.none')}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table>
              <caption class="visually-hidden">{t('activity.record.organizations')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('activity.field.participantOrganization')}</th>
                  <th scope="col">{t('activity.field.participantRole')}</th>
                  <th scope="col">{t('activity.field.participantType')}</th>
                  <th scope="col">{t('activity.field.participantRef')}</th>
                </tr>
              </thead>
              <tbody>
                {a.participants.map((p) => (
                  <tr>
                    <th scope="row">{p.organizationId ? orgLink(p.organizationId) : pick(p.name, lang, def) || <span class="meta">{t('activity.record.unnamed')}</span>}</th>
                    <td>{ref.label('OrganisationRole', p.role, lang)}</td>
                    <td>{p.orgType ? ref.label('OrganisationType', p.orgType, lang) : ''}</td>
                    <td>{p.ref && <code>{p.ref}</code>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section id="where" title={t('activity.record.where')}>
        {a.countries.length === 0 && a.regions.length === 0 && <p class="empty">{t('activity.record.none')}</p>}
        {a.countries.length > 0 && (
          <div class="table-wrap" tabindex={0}>
            <table>
              <caption>{t('activity.record.countries')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('activity.field.country')}</th>
                  <th scope="col">{t('activity.record.code')}</th>
                  <th scope="col" class="numeric">{t('activity.field.percentage')}</th>
                </tr>
              </thead>
              <tbody>
                {a.countries.map((k) => (
                  <tr>
                    <th scope="row">{ref.label('country', k.code, lang)}</th>
                    <td>
                      <code>{k.code}</code>
                    </td>
                    <td class="numeric">{formatPercent(lang, k.percentage)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {a.regions.length > 0 && (
          <div class="table-wrap" tabindex={0}>
            <table>
              <caption>{t('activity.record.regions')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('activity.record.region')}</th>
                  <th scope="col">{t('activity.record.vocabulary')}</th>
                  <th scope="col" class="numeric">{t('activity.field.percentage')}</th>
                </tr>
              </thead>
              <tbody>
                {a.regions.map((r) => (
                  <tr>
                    <th scope="row">
                      {ref.regionLabel(r.vocabulary, r.code, lang)} <code>{r.code}</code>
                    </th>
                    <td>{ref.label('RegionVocabulary', r.vocabulary, lang)}</td>
                    <td class="numeric">{formatPercent(lang, r.percentage)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {a.locations.length > 0 && (
          <>
            <h3>{t('activity.record.locations')}</h3>
            <ul class="plain-list location-list">
              {a.locations.map((l) => (
                <li>
                  <strong>{pick(l.name, lang, def) || l.ref || t('activity.record.unnamed')}</strong>
                  {l.countryCode && <> · {ref.label('country', l.countryCode, lang)}</>}
                  {l.adminCode && (
                    <>
                      {' '}
                      · {t('activity.record.adminArea')} <code>{l.adminCode}</code>
                      {l.adminVocabulary && <span class="meta"> ({ref.label('GeographicVocabulary', l.adminVocabulary, lang)})</span>}
                    </>
                  )}
                  {l.latitude !== null && l.latitude !== undefined && l.longitude !== null && l.longitude !== undefined && (
                    <>
                      {' '}
                      · <span class="meta">{t('activity.record.point', { lat: l.latitude, lon: l.longitude })}</span>
                    </>
                  )}
                  {pick(l.description, lang, def) && <p class="meta">{pick(l.description, lang, def)}</p>}
                </li>
              ))}
            </ul>
          </>
        )}
      </Section>

      <Section id="sectors" title={t('activity.record.sectors')}>
        {a.sectors.length === 0 ? (
          <p class="empty">{t('activity.record.none')}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table>
              <caption class="visually-hidden">{t('activity.record.sectors')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('activity.record.sector')}</th>
                  <th scope="col">{t('activity.record.code')}</th>
                  <th scope="col">{t('activity.record.vocabulary')}</th>
                  <th scope="col" class="numeric">{t('activity.field.percentage')}</th>
                </tr>
              </thead>
              <tbody>
                {a.sectors.map((s) => (
                  <tr>
                    <th scope="row">{s.vocabulary === '1' ? ref.label('Sector', s.code, lang) : s.vocabulary === '2' ? ref.label('SectorCategory', s.code, lang) : pick(s.narrative, lang, def) || s.code}</th>
                    <td>
                      <code>{s.code}</code>
                    </td>
                    <td>{ref.label('SectorVocabulary', s.vocabulary, lang)}</td>
                    <td class="numeric">{formatPercent(lang, s.percentage)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section id="classification" title={t('activity.record.classification')}>
        {!hasClassification ? (
          <p class="empty">{t('activity.record.none')}</p>
        ) : (
          <dl class="facts classification">
            {CLASSIFICATION_KEYS.filter((k) => a.classification[k].length > 0).map((k) => (
              <Fact label={t(`activity.field.classification.${k}`)}>
                <ul class="chip-list">
                  {a.classification[k].map((code) => (
                    <li class="tag">{ref.label(CLASSIFICATION_TAXONOMIES[k], code, lang)}</li>
                  ))}
                </ul>
              </Fact>
            ))}
          </dl>
        )}
      </Section>

      {view.abilities.edit && CLASSIFICATION_KEYS.some((k) => (a.suggestions?.[k] ?? []).length > 0) && (
        <Section id="suggestions" title={t('activity.suggestions.title')}>
          <p>
            <span class="badge badge-info">{t('activity.suggestions.badge')}</span> {t('activity.suggestions.lead')}
          </p>
          <form method="post" action={`/activities/${a.id}/suggestions`} class="stack-fields">
            <Csrf page={page} />
            <input type="hidden" name="version" value={String(a.version)} />
            {CLASSIFICATION_KEYS.filter((k) => (a.suggestions?.[k] ?? []).length > 0).map((k) => (
              <fieldset class="checkbox-group">
                <legend>{t(`activity.field.classification.${k}`)}</legend>
                <div class="checkbox-list">
                  {(a.suggestions?.[k] ?? []).map((code, i) => (
                    <div class="checkbox">
                      <input type="checkbox" id={`suggestion-${k}-${i}`} name={`accept.${k}`} value={code} checked />
                      <label for={`suggestion-${k}-${i}`}>{ref.label(CLASSIFICATION_TAXONOMIES[k], code, lang)}</label>
                    </div>
                  ))}
                </div>
              </fieldset>
            ))}
            <div class="form-actions">
              <button type="submit" class="button">
                {t('activity.suggestions.confirm')}
              </button>
            </div>
          </form>
        </Section>
      )}

      <Section id="money" title={t('activity.record.money')}>
        {a.budgets.length === 0 && a.transactionsSummary.length === 0 && <p class="empty">{t('activity.record.none')}</p>}
        {a.budgets.length > 0 && (
          <div class="table-wrap" tabindex={0}>
            <table>
              <caption>{t('activity.record.budgets')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('activity.record.period')}</th>
                  <th scope="col">{t('activity.field.budgetType')}</th>
                  <th scope="col">{t('activity.field.budgetStatus')}</th>
                  <th scope="col" class="numeric">{t('activity.field.budgetValue')}</th>
                </tr>
              </thead>
              <tbody>
                {a.budgets.map((b) => (
                  <tr>
                    <th scope="row">
                      {formatDate(lang, b.periodStart)} – {formatDate(lang, b.periodEnd)}
                    </th>
                    <td>{ref.label('BudgetType', b.type, lang)}</td>
                    <td>{ref.label('BudgetStatus', b.status, lang)}</td>
                    <td class="numeric">{formatMoney(lang, b.value, b.currency ?? a.defaultCurrency)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                {[...totals].map(([cur, sum]) => (
                  <tr>
                    <th scope="row" colspan={3}>
                      {t('activity.record.budgetTotal')}
                    </th>
                    <td class="numeric">{formatMoney(lang, sum, cur || null)}</td>
                  </tr>
                ))}
              </tfoot>
            </table>
          </div>
        )}
        {a.transactionsSummary.length > 0 && (
          <div class="table-wrap" tabindex={0}>
            <table>
              <caption>{t('activity.record.transactions')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('activity.record.transactionType')}</th>
                  <th scope="col" class="numeric">{t('activity.record.transactionCount')}</th>
                  <th scope="col" class="numeric">{t('activity.record.transactionValue')}</th>
                </tr>
              </thead>
              <tbody>
                {a.transactionsSummary.map((x) => (
                  <tr>
                    <th scope="row">{ref.label('TransactionType', x.type, lang)}</th>
                    <td class="numeric">{x.count}</td>
                    <td class="numeric">{formatMoney(lang, x.value, x.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      {a.results.length > 0 && (
        <Section id="results" title={t('activity.record.results')}>
          {a.results.map((r, ri) => (
            <section class="result" aria-labelledby={`result-${ri}`}>
              <h3 id={`result-${ri}`}>
                {pick(r.title, lang, def) || t('activity.record.untitled')} <span class="badge badge-muted">{ref.label('ResultType', r.type, lang)}</span>
              </h3>
              {pick(r.description, lang, def) && <p>{pick(r.description, lang, def)}</p>}
              {r.indicators.map((ind, ii) => (
                <div class="indicator">
                  <h4 id={`result-${ri}-indicator-${ii}`}>
                    {pick(ind.title, lang, def) || t('activity.record.untitled')} <span class="meta">({ref.label('IndicatorMeasure', ind.measure, lang)})</span>
                  </h4>
                  {ind.baselines.length > 0 && (
                    <p>
                      {t('activity.record.baseline')}: {ind.baselines.map((b) => `${b.value ?? '—'}${b.year ? ` (${b.year})` : ''}`).join('; ')}
                    </p>
                  )}
                  {ind.periods.length > 0 && (
                    <div class="table-wrap" tabindex={0}>
                      <table aria-labelledby={`result-${ri}-indicator-${ii}`}>
                        <thead>
                          <tr>
                            <th scope="col">{t('activity.record.period')}</th>
                            <th scope="col" class="numeric">{t('activity.record.target')}</th>
                            <th scope="col" class="numeric">{t('activity.record.actual')}</th>
                          </tr>
                        </thead>
                        <tbody>
                          {ind.periods.map((p) => (
                            <tr>
                              <th scope="row">
                                {formatDate(lang, p.start)} – {formatDate(lang, p.end)}
                              </th>
                              <td class="numeric">{p.targets.map((x) => x.value ?? '—').join('; ') || '—'}</td>
                              <td class="numeric">{p.actuals.map((x) => x.value ?? '—').join('; ') || '—'}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </div>
              ))}
            </section>
          ))}
        </Section>
      )}

      {a.relatedActivities.length > 0 && (
        <Section id="related" title={t('activity.record.related')}>
          <ul class="plain-list">
            {a.relatedActivities.map((r) => (
              <li>
                {ref.label('RelatedActivityType', r.type, lang)}: <code>{r.ref}</code>
              </li>
            ))}
          </ul>
        </Section>
      )}

      {a.contacts.length > 0 && (
        <Section id="contacts" title={t('activity.record.contacts')}>
          <ul class="plain-list">
            {a.contacts.map((k) => (
              <li>
                {[pick(k.personName, lang, def), pick(k.jobTitle, lang, def), pick(k.organisation, lang, def)].filter(Boolean).join(', ')}
                {k.email && (
                  <>
                    {' '}
                    <a href={`mailto:${k.email}`}>{k.email}</a>
                  </>
                )}
              </li>
            ))}
          </ul>
        </Section>
      )}

      <Section id="provenance" title={t('activity.record.provenance')}>
        <dl class="facts facts-compact">
          <Fact label={t('activity.record.source')}>{t(`activity.provenance.${a.provenance?.source ?? 'manual'}`)}</Fact>
          {a.provenance?.fileName && (
            <Fact label={t('activity.record.file')}>
              <code>{a.provenance.fileName}</code>
            </Fact>
          )}
          {a.provenance?.importedAt && <Fact label={t('activity.record.importedAt')}>{formatDateTime(lang, a.provenance.importedAt)}</Fact>}
          {a.iatiLastUpdated && <Fact label={t('activity.record.iatiLastUpdated')}>{formatDateTime(lang, a.iatiLastUpdated)}</Fact>}
          {a.provenance?.note && <Fact label={t('activity.record.note')}>{a.provenance.note}</Fact>}
          <Fact label={t('activity.record.created')}>{formatDate(lang, a.createdAt)}</Fact>
        </dl>
      </Section>
    </article>
  );
}

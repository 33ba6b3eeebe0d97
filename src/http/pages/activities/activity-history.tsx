import type { ActivityChange, DiffItem } from '../../../domain/activities/activity-diff.ts';
import type { ActivityHistoryWithChanges } from '../../../domain/activities/activity-versions.ts';
import { CLASSIFICATION_TAXONOMIES, type Classification } from '../../../domain/activities/activity-schemas.ts';
import { formatDateTime, isoDate } from '../format.ts';
import type { PageContext } from '../page-context.ts';
import { pickLocalized } from './activity-record.tsx';
import { Breadcrumb } from '../components/breadcrumb.tsx';

/** The message key of a field path: `reportingOrg.name` → `reportingOrgName`, `classification.pillars` as it is. */
export function labelKey(field: string): string {
  const m = /^reportingOrg\.(\w)(\w*)$/.exec(field);
  return m ? `reportingOrg${m[1]!.toUpperCase()}${m[2]}` : field;
}

/** The label of a changed field in the page language, with the language of a text when it is one. */
function fieldLabel(page: PageContext, ch: ActivityChange): string {
  const base = page.t(`activity.field.${labelKey(ch.field)}`, { defaultValue: ch.field });
  return ch.kind === 'value' && ch.language ? `${base} (${page.t(`language.${ch.language}`)})` : base;
}

/** An item of a changed list, labelled in the page language where a code has a label. */
function itemText(page: PageContext, h: ActivityHistoryWithChanges, field: string, item: DiffItem): string {
  const ref = h.reference;
  const pct = item.percentage === null || item.percentage === undefined ? '' : ` ${item.percentage} %`;
  if (field === 'countries' && item.code) return `${ref.label('country', item.code, page.lang)} (${item.code})${pct}`;
  if (field === 'sectors' && item.code) return `${ref.label('Sector', item.code, page.lang)} (${item.code})${pct}`;
  if (field === 'sharedWith') return h.organizations[item.key] ?? item.key;
  const m = /^(classification|suggestions)\.(\w+)$/.exec(field);
  if (m && item.code) return ref.label(CLASSIFICATION_TAXONOMIES[m[2] as keyof Classification], item.code, page.lang);
  if (field === 'visibility') return page.t(`activity.visibility.${item.key}`);
  return item.text;
}

function valueText(page: PageContext, h: ActivityHistoryWithChanges, ch: Extract<ActivityChange, { kind: 'value' }>, v: string | null): string {
  if (v === null || v === '') return '';
  if (ch.field === 'visibility') return page.t(`activity.visibility.${v}`, { defaultValue: v });
  if (ch.field === 'status') return h.reference.label('ActivityStatus', v, page.lang);
  if (ch.field === 'defaultLanguage') return page.t(`language.${v}`, { defaultValue: v });
  if (ch.field === 'deletedAt') return formatDateTime(page.lang, v);
  return v;
}

/** The changes of one version, as a before/after table. */
export function ChangeTable({ page, h, changes, caption }: { page: PageContext; h: ActivityHistoryWithChanges; changes: ActivityChange[]; caption: string }) {
  const { t } = page;
  if (changes.length === 0) return <p class="meta">{t('activity.history.noChanges')}</p>;
  return (
    <table class="diff">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('activity.history.field')}</th>
          <th scope="col">{t('activity.history.before')}</th>
          <th scope="col">{t('activity.history.after')}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((ch) => (
          <tr>
            <th scope="row">{fieldLabel(page, ch)}</th>
            {ch.kind === 'value' ? (
              <>
                <td lang={ch.language}>{valueText(page, h, ch, ch.before) ? <del>{valueText(page, h, ch, ch.before)}</del> : <span class="meta">—</span>}</td>
                <td lang={ch.language}>{valueText(page, h, ch, ch.after) ? <ins>{valueText(page, h, ch, ch.after)}</ins> : <span class="meta">—</span>}</td>
              </>
            ) : (
              <>
                <td>
                  {ch.removed.length === 0 && ch.changed.length === 0 && <span class="meta">—</span>}
                  {ch.removed.length > 0 && (
                    <p>
                      {t('activity.history.removed')}: <del>{ch.removed.map((i) => itemText(page, h, ch.field, i)).join(', ')}</del>
                    </p>
                  )}
                  {ch.changed.length > 0 && (
                    <p>
                      {t('activity.history.changedFrom')}: <del>{ch.changed.map((i) => i.before).join(', ')}</del>
                    </p>
                  )}
                </td>
                <td>
                  {ch.added.length === 0 && ch.changed.length === 0 && <span class="meta">—</span>}
                  {ch.added.length > 0 && (
                    <p>
                      {t('activity.history.added')}: <ins>{ch.added.map((i) => itemText(page, h, ch.field, i)).join(', ')}</ins>
                    </p>
                  )}
                  {ch.changed.length > 0 && (
                    <p>
                      {t('activity.history.changedTo')}: <ins>{ch.changed.map((i) => i.after).join(', ')}</ins>
                    </p>
                  )}
                </td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every version, newest first, with what changed from the one before. */
export function ActivityHistory({ page, h }: { page: PageContext; h: ActivityHistoryWithChanges }) {
  const { t, lang } = page;
  const title = pickLocalized(h.activity.title, lang, 'en');
  return (
    <article class="activity-history">
      <Breadcrumb
        t={t}
        trail={[
          { href: '/activities', label: t('activity.record.breadcrumb') },
          { href: `/activities/${h.activity.id}`, label: title?.text ?? h.activity.id, lang: title && title.lang !== lang ? title.lang : undefined },
        ]}
        here={t('activity.history.title')}
      />
      <h1>{t('activity.history.heading')}</h1>
      <p class="lead">{t('activity.history.intro', { count: h.items.length })}</p>
      <ol class="audit-list version-list" reversed>
        {h.items.map((v) => (
          <li class="audit-entry" id={`v${v.version}`}>
            <h2 class="audit-head">
              <span class="audit-action">{t('activity.history.version', { version: v.version })}</span> <span>{t(`activity.history.action.${v.action}`, { defaultValue: v.action })}</span>
            </h2>
            <p class="audit-meta">
              <time datetime={isoDate(v.at)}>{formatDateTime(lang, v.at)}</time> · {v.actorLabel}
            </p>
            {v.version === 1 && v.changes.length === 0 ? (
              <p class="meta">{t('activity.history.created')}</p>
            ) : (
              <ChangeTable page={page} h={h} changes={v.changes} caption={t('activity.history.changesOf', { version: v.version })} />
            )}
          </li>
        ))}
      </ol>
      {h.more && <p class="meta">{t('activity.history.more')}</p>}
    </article>
  );
}

import type { FieldDiff, HistoryEntry, PublicationField, Segment, VersionChanges, VersionDiff } from '../../../domain/publications/publication-history.ts';
import type { Publication } from '../../../domain/publications/publication-schemas.ts';
import type { Language } from '../../../domain/languages.ts';
import { formatDateTime, formatList, isoDate } from '../format.ts';
import type { PageContext } from '../page-context.ts';
import { Breadcrumb, type Crumb } from '../components/breadcrumb.tsx';

/** Coded values (kind, status, visibility, main language) shown by their names. */
function valueLabel(page: PageContext, field: PublicationField | string, value: string): string {
  if (field === 'kind') return page.t(`library.kind.${value}`);
  if (field === 'status') return page.t(`library.status.${value}`);
  if (field === 'visibility') return page.t(`library.visibility.${value}`);
  if (field === 'defaultLanguage') return page.t(`language.${value}`);
  return value;
}

const fieldName = (page: PageContext, field: string, lang: Language | null) =>
  lang ? page.t('library.history.inLanguage', { field: page.t(`library.history.field.${field}`), language: page.t(`language.${lang}`) }) : page.t(`library.history.field.${field}`);

function titleOf(p: Publication | undefined, lang: Language): { text: string; lang: Language } | undefined {
  const l = p?.languages.find((x) => x.lang === lang) ?? p?.languages.find((x) => x.lang === p.defaultLanguage) ?? p?.languages[0];
  return l ? { text: l.title, lang: l.lang } : undefined;
}

/** The trail of a page about one publication: the library, the publication (when it exists yet), its history when given, then the page itself. */
export function PublicationCrumbs({ page, p, current, historyLink }: { page: PageContext; p: Publication | undefined; current: string; historyLink?: string }) {
  const { t } = page;
  const title = titleOf(p, page.lang);
  const trail: Crumb[] = [{ href: '/library', label: t('library.nav') }];
  if (p) trail.push({ href: `/library/${p.id}`, label: title?.text ?? p.id, lang: title && title.lang !== page.lang ? title.lang : undefined });
  if (historyLink) trail.push({ href: historyLink, label: t('library.history.title') });
  return <Breadcrumb t={t} trail={trail} here={current} />;
}

/** What a version changed, in a few words per kind of change. */
function ChangeSummary({ page, changes, first }: { page: PageContext; changes: VersionChanges; first: boolean }) {
  const { t, lang } = page;
  const items: string[] = [];
  if (changes.fields.length > 0) items.push(t(first ? 'library.history.summary.set' : 'library.history.summary.fields', { fields: formatList(lang, changes.fields.map((f) => t(`library.history.field.${f}`))) }));
  for (const l of changes.languages) {
    const language = t(`language.${l.lang}`);
    if (l.change === 'added') items.push(t('library.history.summary.languageAdded', { language }));
    else if (l.change === 'removed') items.push(t('library.history.summary.languageRemoved', { language }));
    else items.push(t('library.history.summary.languageChanged', { language, fields: formatList(lang, l.fields.map((f) => t(`library.history.field.${f}`))) }));
  }
  const files = (list: VersionChanges['filesAdded']) => formatList(lang, list.map((f) => `${f.fileName} (${t(`language.${f.lang}`)})`));
  if (changes.filesAdded.length > 0) items.push(t('library.history.summary.filesAdded', { count: changes.filesAdded.length, files: files(changes.filesAdded) }));
  if (changes.filesRemoved.length > 0) items.push(t('library.history.summary.filesRemoved', { count: changes.filesRemoved.length, files: files(changes.filesRemoved) }));
  if (items.length === 0) return <p class="meta">{t('library.history.summary.none')}</p>;
  return (
    <ul class="change-summary">
      {items.map((i) => (
        <li>{i}</li>
      ))}
    </ul>
  );
}

const actionLabel = (page: PageContext, action: string) => page.t(`library.history.action.${action}`, { defaultValue: action });

/** Every version of a publication, newest first, with what it changed and a link to its comparison. */
export function PublicationHistory({ page, publicationId, latest, entries }: { page: PageContext; publicationId: string; latest: Publication | undefined; entries: HistoryEntry[] }) {
  const { t, lang } = page;
  return (
    <article class="publication-history">
      <PublicationCrumbs page={page} p={latest} current={t('library.history.title')} />
      <h1>{t('library.history.heading')}</h1>
      <p class="lead">{t('library.history.intro', { count: entries.length })}</p>
      <ol class="audit-list version-list" reversed>
        {entries.map((v) => (
          <li class="audit-entry" id={`v${v.version}`}>
            <h2 class="audit-head">
              <a href={`/library/${publicationId}/history/${v.version}`}>
                <span class="audit-action">{t('library.history.version', { version: v.version })}</span> <span>{actionLabel(page, v.action)}</span>
              </a>
            </h2>
            <p class="audit-meta">
              <time datetime={isoDate(v.at)}>{formatDateTime(lang, v.at)}</time> · {t('library.history.by', { who: v.actorLabel })}
            </p>
            <ChangeSummary page={page} changes={v.changes} first={v.version === entries.at(-1)?.version} />
          </li>
        ))}
      </ol>
    </article>
  );
}

/** A compared value: kept pieces as they are, removed ones in <del>, added ones in <ins>, each announced in words. */
function Segments({ page, segments, shape, field }: { page: PageContext; segments: Segment[]; shape: FieldDiff['shape']; field: string }) {
  const { t } = page;
  const mark = (s: Segment, text: string) =>
    s.op === 'del' ? (
      <del>
        <span class="visually-hidden" lang={page.lang}>
          {t('library.history.removed')}:{' '}
        </span>
        {text}
      </del>
    ) : s.op === 'ins' ? (
      <ins>
        <span class="visually-hidden" lang={page.lang}>
          {t('library.history.added')}:{' '}
        </span>
        {text}
      </ins>
    ) : (
      text
    );
  if (shape === 'list') {
    if (segments.length === 0) return <p class="meta">—</p>;
    return (
      <ul class="diff-list">
        {segments.map((s) => (
          <li class={`diff-${s.op}`}>
            {s.op !== 'same' && <span aria-hidden="true" class="diff-sign">{s.op === 'del' ? '−' : '+'} </span>}
            {mark(s, valueLabel(page, field, s.text))}
          </li>
        ))}
      </ul>
    );
  }
  return <div class="diff-text">{segments.map((s) => mark(s, s.text))}</div>;
}

/** One version beside the one before it, field by field. */
export function PublicationVersionPage({ page, diff }: { page: PageContext; diff: VersionDiff }) {
  const { t, lang } = page;
  const { entry, publication: p } = diff;
  const historyLink = `/library/${p.id}/history`;
  const heading = t('library.history.version', { version: entry.version });
  return (
    <article class="publication-version">
      <PublicationCrumbs page={page} p={p} current={heading} historyLink={historyLink} />
      <h1>
        {heading} <span class="meta">{actionLabel(page, entry.action)}</span>
      </h1>
      <p class="lead">
        <time datetime={isoDate(entry.at)}>{formatDateTime(lang, entry.at)}</time> · {t('library.history.by', { who: entry.actorLabel })}
      </p>
      <p class="meta">
        {diff.previous === null ? t('library.history.firstVersion') : t('library.history.comparedWith', { version: diff.previous })} {t('library.history.legend')}
      </p>
      <ChangeSummary page={page} changes={entry.changes} first={diff.previous === null} />
      {diff.fields.length > 0 && (
        <table class="diff version-diff">
          <caption class="visually-hidden">{t('library.history.changesOf', { version: entry.version })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('library.history.fieldColumn')}</th>
              <th scope="col">{t('library.history.changeColumn')}</th>
            </tr>
          </thead>
          <tbody>
            {diff.fields.map((f) => (
              <tr>
                <th scope="row">{fieldName(page, f.field, f.lang)}</th>
                <td lang={f.lang && f.lang !== lang ? f.lang : undefined}>
                  <Segments page={page} segments={f.segments} shape={f.shape} field={f.field} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label={t('library.history.versionsNav')}>
        {diff.previous !== null && <a href={`${historyLink}/${diff.previous}`}>{t('library.history.previousVersion', { version: diff.previous })}</a>}
        <a href={historyLink}>{t('library.history.all')}</a>
        {diff.newer !== null && <a href={`${historyLink}/${diff.newer}`}>{t('library.history.nextVersion', { version: diff.newer })}</a>}
      </nav>
    </article>
  );
}

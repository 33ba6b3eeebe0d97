import type { PublicationView } from '../../../domain/publications/get-publication.ts';
import { pickLanguage } from '../../../domain/publications/publication-mapping.ts';
import { LANGUAGES, pickText, type Language } from '../../../domain/languages.ts';
import { direction } from '../../../i18n/i18n.ts';
import { Breadcrumb } from '../components/breadcrumb.tsx';
import { ActionButton, Csrf } from '../components/form.tsx';
import { formatList, formatNumber } from '../format.ts';
import type { PageContext } from '../page-context.ts';

/** A plain-text citation in a common author–date style, for the cite box. */
export function citationText(page: PageContext, view: PublicationView, lang: Language, baseUrl: string): string {
  const p = view.publication;
  const l = pickLanguage(p.languages, lang, p.defaultLanguage);
  const owner = view.organizations[p.ownerOrganizationId];
  const authors = p.authors.length > 0 ? p.authors : owner ? [owner.acronym] : [];
  const series = [page.t(`library.kind.${p.kind}`), p.number].filter(Boolean).join(' ');
  const parts = [
    authors.length > 0 ? `${formatList(page.lang, authors)} (${p.published ? p.published.slice(0, 4) : page.t('library.noDate')}).` : '',
    `${l?.title ?? p.id}.`,
    series ? `${series}.` : '',
    owner ? `${pickText(owner.name, page.lang) || owner.acronym}.` : '',
    `${baseUrl}/library/${p.id}`,
  ];
  return parts.filter(Boolean).join(' ');
}

const human = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1048576).toFixed(1)} MB`);

/** The publication page: the chosen language version, its files, related publications, the cite box and, for editors, files to add or remove. */
export function PublicationRecord({ page, view, shown, baseUrl }: { page: PageContext; view: PublicationView; shown: Language; baseUrl: string }) {
  const { t } = page;
  const p = view.publication;
  const l = pickLanguage(p.languages, shown, p.defaultLanguage)!;
  const other = l.lang !== page.lang;
  const textLang = other ? l.lang : undefined;
  const textDir = other ? direction(l.lang as Language) : undefined;
  const ref = view.reference;
  const owner = view.organizations[p.ownerOrganizationId];
  const coPublishers = p.organizationIds.map((id) => view.organizations[id]?.acronym).filter(Boolean) as string[];
  const files = [...p.files].sort((a, b) => Number(b.lang === l.lang) - Number(a.lang === l.lang));
  const themes = p.themes.map((th) => {
    const [taxonomy = '', code = ''] = th.split(':');
    return ref.label(taxonomy, code, page.lang);
  });
  return (
    <article class="publication">
      <Breadcrumb t={t} trail={[{ href: '/library', label: t('library.nav') }]} here={l.title} hereLang={textLang} />
      <header class="record-header">
        <p class="eyebrow meta">
          {t(`library.kind.${p.kind}`)}
          {p.number && ` ${p.number}`}
          {p.status === 'draft' && <span class="badge badge-muted">{t('library.status.draft')}</span>}
          {p.visibility !== 'public' && <span class="badge badge-muted">{t(`library.visibility.${p.visibility}`)}</span>}
        </p>
        <h1 lang={textLang} dir={textDir}>
          {l.title}
        </h1>
        <p class="meta">
          {[owner?.acronym, ...coPublishers].filter(Boolean).join(', ')}
          {p.published && ` · ${p.published}`}
          {p.authors.length > 0 && ` · ${formatList(page.lang, p.authors)}`}
        </p>
        {p.languages.length > 1 && (
          <nav class="version-switch" aria-label={t('library.versions')}>
            <ul class="chip-list">
              {LANGUAGES.filter((x) => p.languages.some((v) => v.lang === x)).map((x) => (
                <li>
                  <a class="chip" href={`/library/${p.id}?language=${x}`} lang={x} hreflang={x} aria-current={x === l.lang ? 'true' : undefined}>
                    {t(`language.${x}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {(view.abilities.edit || view.abilities.delete || view.abilities.history) && (
          <div class="header-actions">
            {view.abilities.edit && (
              <a class="button button-secondary button-small" href={`/library/${p.id}/edit`}>
                {t('library.edit')}
              </a>
            )}
            {view.abilities.history && (
              <a class="button button-secondary button-small" href={`/library/${p.id}/history`}>
                {t('library.history.link')}
              </a>
            )}
            {view.abilities.delete && <ActionButton page={page} action={`/library/${p.id}/delete`} label={t('library.delete')} variant="danger" />}
          </div>
        )}
      </header>
      {l.summary && (
        <section class="record-section" aria-labelledby="pub-summary">
          <h2 id="pub-summary">{t('library.summary')}</h2>
          <div lang={textLang} dir={textDir}>
            {l.summary.split(/\n{2,}/).map((para) => (
              <p>{para}</p>
            ))}
          </div>
        </section>
      )}
      {l.keyQuestions.length > 0 && (
        <section class="record-section" aria-labelledby="pub-questions">
          <h2 id="pub-questions">{t('library.keyQuestions')}</h2>
          <ol lang={textLang} dir={textDir}>
            {l.keyQuestions.map((q) => (
              <li>{q}</li>
            ))}
          </ol>
        </section>
      )}
      {l.body && (
        <section class="record-section" aria-labelledby="pub-body">
          <h2 id="pub-body">{t('library.body')}</h2>
          <div lang={textLang} dir={textDir}>
            {l.body.split(/\n{2,}/).map((para) => (
              <p>{para}</p>
            ))}
          </div>
        </section>
      )}
      <section class="record-section" aria-labelledby="pub-files">
        <h2 id="pub-files">{t('library.files')}</h2>
        {files.length === 0 ? (
          <p class="meta">{t('library.noFiles')}</p>
        ) : (
          <ul class="file-list">
            {files.map((f) => (
              <li>
                <a href={f.url} type="application/pdf" hreflang={f.lang}>
                  {f.fileName}
                </a>{' '}
                <span class="meta">
                  ({t(`language.${f.lang}`)}, PDF, {human(f.size)}
                  {f.pageCount !== null && `, ${t('library.pages', { count: f.pageCount, formatted: formatNumber(page.lang, f.pageCount) })}`})
                </span>
                {f.textStatus !== 'extracted' && <p class="meta file-note">{t(`library.fileText.${f.textStatus}`)}</p>}
                {view.abilities.edit && <ActionButton page={page} action={`/library/${p.id}/files/${f.id}/delete`} label={t('library.removeFile', { name: f.fileName })} variant="link" />}
              </li>
            ))}
          </ul>
        )}
        {view.abilities.edit && (
          <form method="post" action={`/library/${p.id}/files`} enctype="multipart/form-data" class="file-upload-form">
            <Csrf page={page} />
            <div class="field">
              <label for="pub-file">{t('library.upload.file')}</label>
              <input type="file" id="pub-file" name="file" accept="application/pdf,.pdf" required />
            </div>
            <div class="field">
              <label for="pub-file-lang">{t('library.upload.lang')}</label>
              <select id="pub-file-lang" name="lang">
                {LANGUAGES.map((x) => (
                  <option value={x} selected={x === l.lang}>
                    {t(`language.${x}`)}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" class="button button-secondary">
              {t('library.upload.submit')}
            </button>
          </form>
        )}
      </section>
      {(themes.length > 0 || p.countries.length > 0 || p.regions.length > 0) && (
        <section class="record-section" aria-labelledby="pub-about">
          <h2 id="pub-about">{t('library.about')}</h2>
          <dl class="activity-facts">
            {themes.length > 0 && (
              <div>
                <dt>{t('library.facet.theme')}</dt>
                <dd>{themes.join(', ')}</dd>
              </div>
            )}
            {p.regions.length > 0 && (
              <div>
                <dt>{t('library.facet.region')}</dt>
                <dd>{p.regions.map((r) => ref.label('m49', r, page.lang)).join(', ')}</dd>
              </div>
            )}
            {p.countries.length > 0 && (
              <div>
                <dt>{t('library.countries')}</dt>
                <dd>{p.countries.map((c) => ref.label('country', c, page.lang)).join(', ')}</dd>
              </div>
            )}
          </dl>
        </section>
      )}
      {view.related.length > 0 && (
        <section class="record-section" aria-labelledby="pub-related">
          <h2 id="pub-related">{t('library.related')}</h2>
          <ul>
            {view.related.map((r) => {
              const rl = pickLanguage(r.languages, page.lang, r.defaultLanguage);
              return (
                <li>
                  <a href={`/library/${r.id}`} lang={rl && rl.lang !== page.lang ? rl.lang : undefined}>
                    {rl?.title ?? r.id}
                  </a>{' '}
                  <span class="meta">
                    {t(`library.kind.${r.kind}`)}
                    {r.published && `, ${r.published.slice(0, 4)}`}
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      <section class="record-section cite-box" aria-labelledby="pub-cite">
        <h2 id="pub-cite">{t('library.cite.title')}</h2>
        <p class="citation">{citationText(page, view, l.lang as Language, baseUrl)}</p>
        <ul class="chip-list">
          {(['ris', 'bibtex', 'csl-json'] as const).map((f) => (
            <li>
              <a class="chip" href={`/api/v1/publications/${p.id}/citation?format=${f}&lang=${l.lang}`} download>
                {t(`library.cite.${f}`)}
              </a>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}

import { direction, isLanguage, type Translate } from '../../../i18n/i18n.ts';

/** One step of a trail: where it leads, and its name, in its own language when that differs from the page's. */
export type Crumb = { href: string; label: string; lang?: string | undefined };

/**
 * The trail above a page's heading: the pages it sits under, as links, then the page itself,
 * marked as the current one. A step whose text is in another language than the page (a title
 * shown in its original language) carries that language, so screen readers pronounce it right,
 * and its direction, so an English title on an Arabic page reads (and is cut short) from its start.
 */
export function Breadcrumb({ t, trail, here, hereLang }: { t: Translate; trail: Crumb[]; here: string; hereLang?: string | undefined }) {
  return (
    <nav aria-label={t('nav.breadcrumb')} class="breadcrumb">
      <ol>
        {trail.map((c) => (
          <li>
            <a href={c.href} lang={c.lang} dir={dirOf(c.lang)}>
              {c.label}
            </a>
          </li>
        ))}
        <li aria-current="page" lang={hereLang} dir={dirOf(hereLang)}>
          {here}
        </li>
      </ol>
    </nav>
  );
}

const dirOf = (lang: string | undefined) => (isLanguage(lang) ? direction(lang) : undefined);

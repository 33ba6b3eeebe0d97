import type { Context } from 'hono';
import { search } from '../../../domain/search/search.ts';
import { searchParamsFromUrl, searchParamsSchema, searchQueryString } from '../../../domain/search/search-schemas.ts';
import { AppError } from '../../../domain/errors.ts';
import type { AppEnv } from '../../env.ts';

const FEED_SIZE = 50;

/** Text for XML: the five special characters escaped, characters XML 1.0 forbids removed. */
export function xmlText(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- characters XML 1.0 does not allow are what is removed
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/**
 * GET /library/feed.atom?…: an Atom feed of any search (the same parameters as /library), newest
 * first: `?kind=issue_brief` is the feed of a kind. Only what the requester may see, like the page.
 */
export async function libraryFeed(c: Context<AppEnv>) {
  const parsed = searchParamsSchema.safeParse(searchParamsFromUrl(new URL(c.req.url).searchParams));
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'The feed address has filters that are not valid.');
  const params = { ...parsed.data, sort: 'date' as const, page: 1 };
  const t = c.get('t');
  const result = await search(c.get('ctx'), params, { lang: c.get('lang'), pageSize: FEED_SIZE });
  const base = c.get('services').config.baseUrl;
  const qs = searchQueryString({ ...params, sort: 'relevance' });
  const self = `${base}/library/feed.atom${qs}`;
  const what = [params.q, ...params.kind.map((k) => t(`library.kind.${k}`))].filter(Boolean).join(' · ');
  const updated = result.results.map((r) => r.updatedAt ?? '').sort().at(-1) || new Date(0).toISOString();
  const entries = result.results.map((r) => {
    const summary = r.snippet.map((p) => p.text).join('');
    return [
      '  <entry>',
      `    <id>${xmlText(`${base}${r.url.split('?')[0]}`)}</id>`,
      `    <title>${xmlText(r.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${xmlText(`${base}${r.url}`)}"/>`,
      `    <updated>${xmlText(r.updatedAt ?? updated)}</updated>`,
      // Only a full date is a publication time; a year or a month alone is not given.
      r.date && /^\d{4}-\d{2}-\d{2}$/.test(r.date) ? `    <published>${r.date}T00:00:00Z</published>` : '',
      `    <category term="${xmlText(r.kind ?? r.type)}" label="${xmlText(r.kind ? t(`library.kind.${r.kind}`) : t(`library.type.${r.type}`))}"/>`,
      summary ? `    <summary xml:lang="${xmlText(r.lang)}">${xmlText(summary)}</summary>` : '',
      '  </entry>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  const xml = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${c.get('lang')}">`,
    `  <id>${xmlText(self)}</id>`,
    `  <title>${xmlText(what ? `${t('library.title')}: ${what}` : t('library.title'))}</title>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlText(self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlText(`${base}/library${qs}`)}"/>`,
    `  <updated>${xmlText(updated)}</updated>`,
    `  <author><name>${xmlText(t('site.name'))}</name></author>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
  if (c.get('actor').kind !== 'anonymous') c.header('cache-control', 'private, no-store');
  return c.body(xml, 200, { 'content-type': 'application/atom+xml; charset=utf-8' });
}

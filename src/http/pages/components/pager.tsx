import type { PageContext } from '../page-context.ts';

/** "Next page" / "First page" links for cursor-paged lists, keeping the other query parameters. */
export function Pager({ page, nextCursor, params }: { page: PageContext; nextCursor: string | null; params: Record<string, string> }) {
  const { t } = page;
  const here = new URL(page.url, 'http://x');
  const onLaterPage = here.searchParams.has('cursor');
  if (!nextCursor && !onLaterPage) return null;
  const link = (cursor?: string) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    if (cursor) q.set('cursor', cursor);
    const s = q.toString();
    return s ? `${here.pathname}?${s}` : here.pathname;
  };
  return (
    <nav class="pager" aria-label={t('pager.label')}>
      <ul>
        {onLaterPage && (
          <li>
            <a href={link()}>{t('pager.first')}</a>
          </li>
        )}
        {nextCursor && (
          <li>
            <a href={link(nextCursor)} rel="next">
              {t('pager.next')}
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}

import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../env.ts';
import { Layout } from './layout.tsx';
import { pageContext, type PageContext } from './page-context.ts';

/** Renders a page inside the layout, with no caching for personalised pages. */
export function renderPage(
  c: Context<AppEnv>,
  opts: { title: string; description?: string; status?: number; page?: PageContext; head?: Child },
  body: (page: PageContext) => Child,
) {
  const page = opts.page ?? pageContext(c);
  const flash = c.req.query('notice');
  if (!page.flash && flash && /^[a-zA-Z0-9_.]{1,60}$/.test(flash)) {
    page.flash = { kind: 'success', text: page.t(`notice.${flash}`) };
  }
  if (page.actor.kind !== 'anonymous') c.header('cache-control', 'private, no-store');
  return c.html(
    '<!doctype html>' +
      String(
        <Layout page={page} title={opts.title} description={opts.description} head={opts.head}>
          {body(page)}
        </Layout>,
      ),
    (opts.status ?? 200) as 200,
  );
}

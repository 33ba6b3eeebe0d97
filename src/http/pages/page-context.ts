import type { Context } from 'hono';
import type { Actor } from '../../domain/actor.ts';
import type { Language } from '../../domain/languages.ts';
import type { Translate } from '../../i18n/i18n.ts';
import type { AppEnv } from '../env.ts';

/** What every page template needs from the request. */
export type PageContext = {
  t: Translate;
  lang: Language;
  actor: Actor;
  csrfToken: string;
  path: string;
  /** The request path with its query, for "back to where you were" links. */
  url: string;
  asset: (name: string) => string;
  flash?: { kind: 'success' | 'error' | 'info'; text: string };
};

export function pageContext(c: Context<AppEnv>): PageContext {
  const u = new URL(c.req.url);
  const assets = c.get('services').assets;
  return {
    t: c.get('t'),
    lang: c.get('lang'),
    actor: c.get('actor'),
    csrfToken: c.get('csrfToken') ?? '',
    path: u.pathname,
    url: u.pathname + u.search,
    asset: (name) => assets.get(name)?.url ?? `/assets/${name}`,
  };
}

import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { Actor } from '../domain/actor.ts';
import type { DomainContext } from '../domain/context.ts';
import type { Language } from '../domain/languages.ts';
import type { Translate } from '../i18n/i18n.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Asset } from './assets.ts';

/** Long-lived services the HTTP layer is built with. */
export type AppServices = {
  config: Config;
  db: Db;
  logger: Logger;
  mailer: Mailer;
  assets: Map<string, Asset>;
};

/** Per-request values set by middleware, typed for every handler. */
export type AppEnv = {
  Variables: {
    services: AppServices;
    requestId: string;
    actor: Actor;
    lang: Language;
    t: Translate;
    csrfToken: string;
    /** A streamed form's `_csrf` field is still to be checked by its handler (middleware/csrf.ts). */
    csrfDeferred?: boolean;
    /** The domain context for this request: database, actor, request id and client address. */
    ctx: DomainContext;
  };
};

import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { anonymous } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { tooLargeMessage } from '../domain/iati/import-jobs.ts';
import { translator } from '../i18n/i18n.ts';
import { buildApi } from './api/index.ts';
import type { AppEnv, AppServices } from './env.ts';
import { resolveActor } from './middleware/actor.ts';
import { csrfProtection, STREAMED_FORMS } from './middleware/csrf.ts';
import { resolveLanguage } from './middleware/language.ts';
import { requestLog } from './middleware/request-log.ts';
import { errorPage } from './pages/error-page.tsx';
import { pageRoutes } from './pages/index.tsx';
import { problemResponse, toAppError } from './problem.ts';
import { healthRoutes } from './health.ts';
import { fileRoutes } from './files.ts';

const isApi = (path: string) => path.startsWith('/api/');
/** Where files are uploaded: these bodies may reach MAX_UPLOAD_BYTES instead of MAX_BODY_BYTES. */
const UPLOAD_PATHS = new Set(['/activities/import', '/api/v1/activities/import']);
/** Publication files: POST …/publications/{id}/files and the library's upload form. */
const FILE_UPLOAD_PATH = /^\/(api\/v1\/publications|library)\/[^/]+\/files$/;

/** Builds the whole HTTP application: middleware, API, pages, assets and error handling. */
export function createApp(services: AppServices): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    c.set('services', services);
    c.set('actor', anonymous);
    c.set('lang', 'en');
    c.set('t', translator('en'));
    await next();
  });
  app.use('*', requestLog(services.logger));
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      strictTransportSecurity: services.config.secureCookies ? 'max-age=31536000; includeSubDomains' : false,
      referrerPolicy: 'strict-origin-when-cross-origin',
      xFrameOptions: 'DENY',
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use('*', compress());

  app.get('/assets/*', (c) => {
    const wanted = c.req.path.slice('/assets/'.length);
    const m = /^(.*)\.([0-9a-f]{12})(\.[a-z0-9]+)$/.exec(wanted);
    const asset = m ? services.assets.get(`${m[1]}${m[3]}`) : undefined;
    if (!asset || asset.hash !== m?.[2]) return c.notFound();
    return c.body(new Uint8Array(asset.body), 200, {
      'content-type': asset.type,
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });

  app.route('/', healthRoutes());
  app.route('/', fileRoutes());

  const bodyLimitOf = (maxSize: number, message: string, field?: string) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', message, field ? { fields: [{ path: field, message, code: 'too_big' }] } : {});
      },
    });
  const { MAX_BODY_BYTES, MAX_UPLOAD_BYTES, MAX_IATI_UPLOAD_BYTES } = services.config;
  const defaultLimit = bodyLimitOf(MAX_BODY_BYTES, `The request body is larger than the limit of ${MAX_BODY_BYTES} bytes.`);
  // File uploads (spreadsheets to import) get MAX_UPLOAD_BYTES, plus room for the form around the file.
  const uploadLimit = bodyLimitOf(
    MAX_UPLOAD_BYTES + 64 * 1024,
    `The file is larger than the upload limit of ${MAX_UPLOAD_BYTES} bytes (${(MAX_UPLOAD_BYTES / 1048576).toFixed(1)} MB). Split it into smaller files.`,
    'file',
  );
  // IATI activity files imported in the background may reach MAX_IATI_UPLOAD_BYTES. Their bodies
  // are streamed to disk, and counted there (a body sent without a length too), so only a declared
  // length is checked here: hono's bodyLimit would hold a body of unknown length in memory.
  const iatiLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > MAX_IATI_UPLOAD_BYTES + 64 * 1024) {
      const message = tooLargeMessage(MAX_IATI_UPLOAD_BYTES);
      throw new AppError('PAYLOAD_TOO_LARGE', message, { fields: [{ path: 'file', message, code: 'too_big' }] });
    }
    await next();
  };
  app.use('*', (c, next) => {
    if (c.req.method !== 'POST') return defaultLimit(c, next);
    if (UPLOAD_PATHS.has(c.req.path) || FILE_UPLOAD_PATH.test(c.req.path)) return uploadLimit(c, next);
    if (STREAMED_FORMS.has(c.req.path)) return iatiLimit(c, next);
    return defaultLimit(c, next);
  });
  app.use('*', resolveLanguage());
  app.use('*', resolveActor());
  app.use('*', csrfProtection());
  app.use('*', async (c, next) => {
    c.set('ctx', {
      db: services.db,
      config: services.config,
      actor: c.get('actor'),
      requestId: c.get('requestId'),
      ip: clientIp(c.req.raw, c.env as { incoming?: { socket?: { remoteAddress?: string } } }, services.config.TRUST_PROXY),
    });
    await next();
  });

  app.route('/api/v1', buildApi());
  app.route('/', pageRoutes());

  app.notFound((c) => {
    const err = new AppError('NOT_FOUND', 'There is nothing at this address.');
    return isApi(c.req.path) ? problemResponse(c, err) : errorPage(c, err);
  });

  app.onError((error, c) => {
    let err: AppError;
    if (error instanceof HTTPException) {
      const malformed = /malformed json/i.test(error.message);
      err =
        error.status === 413
          ? new AppError('PAYLOAD_TOO_LARGE', error.message)
          : error.status === 415 || /unsupported media type/i.test(error.message)
            ? new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.')
            : new AppError(malformed ? 'MALFORMED_JSON' : 'BAD_REQUEST', malformed ? 'The request body is not valid JSON.' : error.message || 'The request could not be read.');
    } else {
      err = toAppError(error);
    }
    if (err.code === 'INTERNAL' || err.code === 'SERVICE_UNAVAILABLE') {
      services.logger.error({ err: error, requestId: c.get('requestId') }, 'request failed');
    }
    return isApi(c.req.path) ? problemResponse(c, err) : errorPage(c, err);
  });

  return app;
}

/** The client's address: the socket's, or the proxy's X-Forwarded-For when TRUST_PROXY is on. */
export function clientIp(req: Request, env: { incoming?: { socket?: { remoteAddress?: string } } } | undefined, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const fwd = req.headers.get('x-forwarded-for');
    if (fwd) return fwd.split(',')[0]?.trim();
  }
  return env?.incoming?.socket?.remoteAddress;
}

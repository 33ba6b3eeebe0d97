import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from '../env.ts';

/** Gives each request an id (echoed as X-Request-Id) and writes one structured log line when it ends. */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    await next();
    c.header('x-request-id', requestId);
    const actor = c.get('actor');
    logger.info(
      {
        requestId,
        method: c.req.method,
        path: redactPath(c.req.path),
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        actor: actor.kind === 'anonymous' ? undefined : actor.kind === 'token' ? actor.tokenId : actor.userId,
      },
      'request',
    );
  };
}

/** Paths that carry a secret (password-reset and invitation links) are logged without it. */
export function redactPath(path: string): string {
  return path.replace(/^\/(password\/reset|invitations)\/[^/]+/, '/$1/[redacted]');
}

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

/** Resolves who is acting from the session cookie or the bearer token. */
export function resolveActor(): MiddlewareHandler<AppEnv> {
  return async (_c, next) => {
    await next();
  };
}

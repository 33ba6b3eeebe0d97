import { Hono } from 'hono';
import { migrationLevel, ping, readMigrations } from '../db/migrate.ts';
import type { AppEnv } from './env.ts';

/** GET /healthz: is the database reachable, and is it at the migration level this code expects? */
export function healthRoutes() {
  const expected = readMigrations().at(-1)?.name ?? null;
  const app = new Hono<AppEnv>();
  app.get('/healthz', async (c) => {
    const { db } = c.get('services');
    const started = performance.now();
    try {
      await ping(db.kysely);
      const level = await migrationLevel(db.kysely);
      const ok = level === expected;
      return c.json(
        {
          status: ok ? 'ok' : 'degraded',
          database: { reachable: true, backend: db.kind, latencyMs: Math.round((performance.now() - started) * 10) / 10 },
          migrations: { level, expected },
        },
        ok ? 200 : 503,
        { 'cache-control': 'no-store' },
      );
    } catch (err) {
      return c.json(
        { status: 'unavailable', database: { reachable: false, backend: db.kind, error: (err as Error).message }, migrations: { level: null, expected } },
        503,
        { 'cache-control': 'no-store' },
      );
    }
  });
  return app;
}

import { Hono } from 'hono';
import { migrationLevel, ping, readMigrations } from '../db/migrate.ts';
import { documentStoreFor } from '../storage/document-store.ts';
import type { AppEnv } from './env.ts';

/** The document store answers? Its driver, and the reason when it does not. */
async function storageHealth(config: Parameters<typeof documentStoreFor>[0]) {
  const store = documentStoreFor(config);
  const started = performance.now();
  try {
    await store.ping();
    return { driver: store.driver, reachable: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { driver: store.driver, reachable: false, error: (err as Error).message };
  }
}

/** GET /healthz: is the database reachable and at the migration level this code expects, and does the document store answer? */
export function healthRoutes() {
  const expected = readMigrations().at(-1)?.name ?? null;
  const app = new Hono<AppEnv>();
  app.get('/healthz', async (c) => {
    const { db, config } = c.get('services');
    const storage = await storageHealth(config);
    const started = performance.now();
    try {
      await ping(db.kysely);
      const level = await migrationLevel(db.kysely);
      const ok = level === expected && storage.reachable;
      return c.json(
        {
          status: ok ? 'ok' : 'degraded',
          database: { reachable: true, backend: db.kind, latencyMs: Math.round((performance.now() - started) * 10) / 10 },
          migrations: { level, expected },
          storage,
        },
        ok ? 200 : 503,
        { 'cache-control': 'no-store' },
      );
    } catch (err) {
      return c.json(
        { status: 'unavailable', database: { reachable: false, backend: db.kind, error: (err as Error).message }, migrations: { level: null, expected }, storage },
        503,
        { 'cache-control': 'no-store' },
      );
    }
  });
  return app;
}

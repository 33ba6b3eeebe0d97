import { whenDuplicateScansIdle } from '../../src/domain/coordination/duplicates.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config.ts';
import type { Db } from '../../src/db/database.ts';
import { systemActor, type Actor } from '../../src/domain/actor.ts';
import type { DomainContext } from '../../src/domain/context.ts';
import { createApp } from '../../src/http/app.ts';
import type { AppServices } from '../../src/http/env.ts';
import { buildServices } from '../../src/server.ts';
import { createTestDb } from './db.ts';

export type TestEnv = {
  db: Db;
  config: Config;
  services: AppServices;
  app: ReturnType<typeof createApp>;
  /** A domain context acting as the given actor (the system administrator by default). */
  ctx(actor?: Actor): DomainContext;
  close(): Promise<void>;
};

/** A migrated database, configuration, services and the HTTP app, for one test file. */
export async function createTestEnv(env: Record<string, string> = {}): Promise<TestEnv> {
  const db = await createTestDb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-data-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', BASE_URL: 'http://localhost', ...env });
  const services = buildServices(config, db, pino({ level: 'silent' }));
  const app = createApp(services);
  return {
    db,
    config,
    services,
    app,
    ctx: (actor = systemActor) => ({ db, config, actor }),
    async close() {
      // Duplicate scans started in the background by imports end before the database closes.
      await whenDuplicateScansIdle(db);
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A tiny browser: keeps cookies between requests and reads the anti-forgery token, so
 * tests exercise pages and forms the way a person's browser does.
 */
export class TestClient {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: TestEnv['app']) {}

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.app.request(`http://localhost${pathname}`, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** The current anti-forgery token (fetching a page first if there is none yet). */
  async csrf(): Promise<string> {
    if (!this.cookies.get('icat_csrf')) await this.request('/');
    return this.cookies.get('icat_csrf') ?? '';
  }

  /** Posts a form like a browser: url-encoded fields plus the anti-forgery token. */
  async postForm(pathname: string, fields: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    body.set('_csrf', await this.csrf());
    for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    return this.request(pathname, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}

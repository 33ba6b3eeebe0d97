import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { createApiToken } from '../../src/domain/identity/tokens.ts';
import { createUser } from '../../src/domain/identity/users.ts';
import type { Dataset } from '../lib/dataset.ts';
import { freePort } from '../lib/postgres.ts';
import { startPlatform, type Child } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';

async function tokenFor(open: () => ReturnType<typeof openDatabase>, env: Record<string, string>): Promise<string> {
  const db = await open();
  try {
    await migrate(db.kysely);
    const ctx = { db, config: loadConfig({ ...env, LOG_LEVEL: 'silent' }), actor: systemActor };
    const user = await createUser(ctx, { email: `faults-${Date.now()}@example.org`, name: 'Fault robot', platformRole: 'administrator' });
    return (await createApiToken(ctx, { name: 'faults', scopes: ['read', 'write', 'admin'], userId: user.id })).secret;
  } finally {
    await db.close();
  }
}

let n = 0;
async function write(app: Child, token: string): Promise<{ status: number; code?: string }> {
  const id = `f${process.pid}x${n++}`;
  const res = await fetch(`${app.url}/api/v1/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'partner', acronym: id.toUpperCase(), slug: id, orgType: 'other', name: { en: `Fault ${id}`, fr: 'x'.repeat(1500) } }),
  });
  const body = (await res.json().catch(() => ({}))) as { code?: string };
  return { status: res.status, code: body.code };
}

async function until(check: () => Promise<boolean>, ms: number): Promise<number | undefined> {
  const t = performance.now();
  while (performance.now() - t < ms) {
    if (await check().catch(() => false)) return performance.now() - t;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

function fault(ctx: SuiteContext, name: string, ok: boolean, expected: string, extra: Record<string, number | string | boolean>): Figure {
  ctx.log(`  ${name}: ${ok ? 'as expected' : 'NOT as expected'} (${Object.entries(extra).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  return { suite: 'faults', backend: ctx.backend.name, name, value: ok ? 1 : 0, unit: 'pass', baseline: { name: expected, value: 1, unit: 'pass' }, ratio: ok ? 1 : 0, extra };
}

/** The database server goes away and comes back: clear 503s, then recovery without a restart. */
async function serverGoesAway(ctx: SuiteContext, dataset: Dataset): Promise<Figure[]> {
  const pg = ctx.backend.pg!;
  const token = await tokenFor(dataset.open, dataset.env);
  const app = await startPlatform(await freePort(), dataset.env);
  try {
    const before = await write(app, token);
    pg.pause();
    const during = await write(app, token);
    const health = await fetch(`${app.url}/healthz`);
    pg.resume();
    const recoveredMs = await until(async () => (await write(app, token)).status === 201, 30_000);
    const ok = before.status === 201 && during.status === 503 && during.code === 'SERVICE_UNAVAILABLE' && health.status === 503 && recoveredMs !== undefined;
    return [
      fault(ctx, 'database server stops, then returns', ok, '503 SERVICE_UNAVAILABLE while away, writes succeed again without restart', {
        statusWhileAway: during.status,
        codeWhileAway: during.code ?? 'none',
        healthzWhileAway: health.status,
        recoveredMs: recoveredMs === undefined ? 'never' : round(recoveredMs, 0),
      }),
    ];
  } finally {
    await app.kill();
  }
}

/** The embedded database's disk fills up, then space is freed; and a read-only data directory. */
async function diskFaults(ctx: SuiteContext): Promise<Figure[]> {
  if (process.getuid?.() !== 0) return [];
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-bench-disk-'));
  const figures: Figure[] = [];
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mnt]);
  } catch {
    ctx.log('  disk faults: cannot mount a tmpfs here; skipped');
    return [];
  }
  try {
    const dir = path.join(mnt, 'data');
    const env = { DATA_DIR: dir, DEMO_CONTENT: 'false' };
    const token = await tokenFor(() => openDatabase({ dataDir: dir }), env);
    const app = await startPlatform(await freePort(), env);
    let appAlive = true;
    try {
      const before = await write(app, token);
      const filler = path.join(mnt, 'filler');
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'count=1000'], { stdio: 'ignore' });
      } catch {
        // dd stops with "no space left": that is the point
      }
      const statuses: number[] = [];
      const codes = new Set<string>();
      for (let i = 0; i < 200; i++) {
        const r = await write(app, token).catch(() => ({ status: 0, code: 'connection failed' }));
        statuses.push(r.status);
        if (r.code) codes.add(r.code);
        if (r.status !== 201) break;
      }
      fs.rmSync(filler, { force: true });
      const recoveredMs = await until(async () => (await write(app, token)).status === 201, 20_000);
      appAlive = app.proc.exitCode === null;
      const failed = statuses.find((s) => s !== 201) ?? 201;
      const ok = before.status === 201 && failed === 503 && codes.has('SERVICE_UNAVAILABLE') && recoveredMs !== undefined;
      figures.push(
        fault(ctx, 'embedded database disk full, then space freed', ok, '503 SERVICE_UNAVAILABLE while full, writes succeed again without restart', {
          writesBeforeFull: statuses.filter((s) => s === 201).length,
          statusWhenFull: failed,
          codes: [...codes].join(' ') || 'none',
          processAlive: appAlive,
          recoveredMs: recoveredMs === undefined ? 'never' : round(recoveredMs, 0),
        }),
      );
    } finally {
      await app.kill();
    }
    // A read-only data directory: start-up must stop with a message, not hang or corrupt.
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const port = await freePort();
    let message = '';
    try {
      await startPlatform(port, env);
      message = 'started';
    } catch (err) {
      message = (err as Error).message;
    }
    const ok = message !== 'started' && /cannot be written: it is on a read-only file system/.test(message);
    figures.push(
      fault(ctx, 'embedded database on a read-only data directory', ok, 'start-up stops with a clear message', {
        message: message.split('\n').find((l) => /read-only|EROFS|permission/i.test(l))?.slice(0, 160) ?? message.slice(0, 160),
      }),
    );
  } finally {
    try {
      execFileSync('umount', [mnt]);
    } catch {
      // already gone
    }
    fs.rmSync(mnt, { recursive: true, force: true });
  }
  return figures;
}

export async function faultsSuite(ctx: SuiteContext, dataset: Dataset): Promise<Figure[]> {
  return ctx.backend.name === 'server' ? serverGoesAway(ctx, dataset) : diskFaults(ctx);
}

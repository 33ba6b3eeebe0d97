import { systemActor } from '../../src/domain/actor.ts';
import { createApiToken } from '../../src/domain/identity/tokens.ts';
import { createUser } from '../../src/domain/identity/users.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { Dataset } from '../lib/dataset.ts';
import { freePort } from '../lib/postgres.ts';
import { startPlatform, type Child } from '../lib/processes.ts';
import { rng, round } from '../lib/stats.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';
import { importCrashRounds } from './import-crash.ts';

/** An administrator's API token in the dataset, for the write traffic. */
async function adminToken(dataset: Dataset): Promise<string> {
  const db = await dataset.open();
  try {
    const ctx = { db, config: loadConfig({ ...dataset.env, LOG_LEVEL: 'silent' }), actor: systemActor };
    const user = await createUser(ctx, { email: `bench-${Date.now()}@example.org`, name: 'Benchmark robot', platformRole: 'administrator' });
    const { secret } = await createApiToken(ctx, { name: 'benchmark', scopes: ['read', 'write', 'admin'], userId: user.id });
    return secret;
  } finally {
    await db.close();
  }
}

type WriteLog = { acknowledged: string[]; failed: number; serverErrors: number };

async function createOrg(app: Child, token: string, n: string, log: WriteLog): Promise<void> {
  try {
    const res = await fetch(`${app.url}/api/v1/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'partner', acronym: `W${n}`, slug: `w-${n}`, orgType: 'other', name: { en: `Write ${n}` } }),
    });
    if (res.status === 201) log.acknowledged.push(((await res.json()) as { id: string }).id);
    else {
      if (res.status >= 500) log.serverErrors++;
      log.failed++;
      await res.arrayBuffer();
    }
  } catch {
    log.failed++; // the connection died with the server: not acknowledged, so not owed
  }
}

async function missing(app: Child, token: string, ids: string[]): Promise<number> {
  let lost = 0;
  for (let i = 0; i < ids.length; i += 32) {
    const batch = ids.slice(i, i + 32);
    const found = await Promise.all(
      batch.map((id) => fetch(`${app.url}/api/v1/organizations/${id}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status === 200)),
    );
    lost += found.filter((f) => !f).length;
  }
  return lost;
}

/**
 * kill -9 during writes, N rounds: after each restart every write the server acknowledged
 * (201) must be there. Then a mixed read/write load by 200 clients: no 5xx, nothing lost.
 * Then kill -9 during imports (./import-crash.ts).
 */
export async function reliabilitySuite(ctx: SuiteContext, dataset: Dataset): Promise<Figure[]> {
  const token = await adminToken(dataset);
  const random = rng(7);
  const figures: Figure[] = [];
  let counter = 0;
  const next = () => `${ctx.backend.name}${process.pid}x${(counter++).toString(36)}`;

  // Crash rounds. The server started after each kill is the one the next round kills.
  const crash: WriteLog = { acknowledged: [], failed: 0, serverErrors: 0 };
  let lostAfterCrash = 0;
  let app = await startPlatform(await freePort(), dataset.env);
  for (let r = 0; r < ctx.sizes.crashRounds; r++) {
    const round_: WriteLog = { acknowledged: [], failed: 0, serverErrors: 0 };
    let stop = false;
    const target = app;
    const writers = Array.from({ length: 8 }, async () => {
      while (!stop) await createOrg(target, token, next(), round_);
    });
    // Kill once writes are flowing (at least one acknowledged), at a random moment after.
    const flowingBy = Date.now() + 30_000;
    while (round_.acknowledged.length === 0 && Date.now() < flowingBy) await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 200 + Math.floor(random() * 1000)));
    await app.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    app = await startPlatform(await freePort(), dataset.env);
    const lost = await missing(app, token, round_.acknowledged);
    lostAfterCrash += lost;
    crash.acknowledged.push(...round_.acknowledged);
    crash.failed += round_.failed;
    ctx.log(`  crash round ${r + 1}: ${round_.acknowledged.length} writes acknowledged before kill -9, ${lost} missing after restart`);
  }
  figures.push({
    suite: 'reliability',
    backend: ctx.backend.name,
    name: `kill -9 during writes (${ctx.sizes.crashRounds} rounds): acknowledged writes lost`,
    value: lostAfterCrash,
    unit: 'writes',
    baseline: { name: 'writes acknowledged before the kills', value: crash.acknowledged.length, unit: 'writes' },
    ratio: crash.acknowledged.length ? round(lostAfterCrash / crash.acknowledged.length, 4) : 0,
    extra: { rounds: ctx.sizes.crashRounds, unacknowledged: crash.failed },
  });

  // Mixed load: 200 clients, 1 in 5 requests a write, on the server the last round started.
  try {
    const seconds = ctx.sizes.loadSeconds * 6;
    const mixed: WriteLog = { acknowledged: [], failed: 0, serverErrors: 0 };
    let reads = 0;
    let readErrors = 0;
    const until = Date.now() + seconds * 1000;
    const paths = ['/', '/members', '/api/v1/organizations?limit=20', '/members/unodc'];
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        let k = i;
        while (Date.now() < until) {
          if (k++ % 5 === 0) await createOrg(app, token, next(), mixed);
          else {
            try {
              const res = await fetch(`${app.url}${paths[k % paths.length]}`);
              await res.arrayBuffer();
              reads++;
              if (res.status >= 500) readErrors++;
            } catch {
              readErrors++;
            }
          }
        }
      }),
    );
    const lost = await missing(app, token, mixed.acknowledged);
    const total = reads + mixed.acknowledged.length + mixed.failed;
    ctx.log(
      `  mixed load, 200 clients for ${seconds} s: ${round(total / seconds, 1)} req/s, ${mixed.acknowledged.length} writes acknowledged, ${mixed.serverErrors + readErrors} errors/5xx, ${lost} writes missing`,
    );
    figures.push({
      suite: 'reliability',
      backend: ctx.backend.name,
      name: `mixed load, 200 clients × ${seconds} s: 5xx or failed requests`,
      value: mixed.serverErrors + readErrors + mixed.failed,
      unit: 'requests',
      baseline: { name: 'requests made', value: total, unit: 'requests' },
      ratio: round((mixed.serverErrors + readErrors + mixed.failed) / Math.max(1, total), 4),
      extra: { requestsPerSecond: round(total / seconds, 1), writesAcknowledged: mixed.acknowledged.length, writesLost: lost },
    });
  } finally {
    await app.kill();
  }
  figures.push(...(await importCrashRounds(ctx, dataset, random)));
  return figures;
}

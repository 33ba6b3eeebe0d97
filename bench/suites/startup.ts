import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../lib/postgres.ts';
import { startHello, startPlatform } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';

async function timeStart(start: () => Promise<{ kill(): Promise<unknown>; url: string }>, firstPath: string) {
  const t = performance.now();
  const child = await start();
  const res = await fetch(`${child.url}${firstPath}`);
  await res.arrayBuffer();
  const ms = performance.now() - t;
  return { ms, child, status: res.status };
}

/**
 * Cold start (`icat serve` on an empty data directory until the home page answers: initdb,
 * migrations, demo content) and warm start (same directory again), against the time the
 * hello-world process takes to answer its first request.
 */
export async function startupSuite(ctx: SuiteContext): Promise<Figure[]> {
  if (ctx.backend.name !== 'pglite') return [];
  const hello = await timeStart(async () => startHello(await freePort()), '/');
  await hello.child.kill();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-bench-cold-'));
  try {
    const cold = await timeStart(async () => startPlatform(await freePort(), { DATA_DIR: dir }), '/');
    await cold.child.kill();
    const warm = await timeStart(async () => startPlatform(await freePort(), { DATA_DIR: dir }), '/');
    await warm.child.kill();
    ctx.log(`  cold start ${Math.round(cold.ms)} ms, warm start ${Math.round(warm.ms)} ms, hello-world process ${Math.round(hello.ms)} ms`);
    const baseline = { name: 'hello-world process to first response', value: round(hello.ms, 0), unit: 'ms' };
    return [
      { suite: 'startup', backend: 'pglite', name: 'cold start: empty data directory to first page', value: round(cold.ms, 0), unit: 'ms', baseline, ratio: round(cold.ms / hello.ms, 1) },
      { suite: 'startup', backend: 'pglite', name: 'warm start: existing data directory to first page', value: round(warm.ms, 0), unit: 'ms', baseline, ratio: round(warm.ms / hello.ms, 1) },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

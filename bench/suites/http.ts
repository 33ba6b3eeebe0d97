import type { Dataset } from '../lib/dataset.ts';
import { load, type LoadResult } from '../lib/http-load.ts';
import { freePort } from '../lib/postgres.ts';
import { startHello, startPlatform } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';

const CONNECTIONS = 64;

/** Pages and API endpoints under 64 connections, each against the hello-world ceiling (and a publication page, found at run time). */
export const HTTP_TARGETS: { name: string; path: string }[] = [
  { name: 'home page', path: '/' },
  { name: 'members directory', path: '/members' },
  { name: 'organization page', path: '/members/unodc' },
  { name: 'API: list organizations', path: '/api/v1/organizations?limit=50' },
  { name: 'activity list, filtered (page with facets)', path: '/activities?pillar=prevention&region=002&sort=updated' },
  { name: 'API: activity list, filtered', path: '/api/v1/activities?pillar=prevention&region=002&limit=25' },
  { name: 'library search (publications and activities, facets, explanations)', path: '/library?q=trafficking' },
  { name: 'API: search', path: '/api/v1/search?q=trafficking' },
];

/** A publication page of the demo library (seeded when the platform first starts on the dataset). */
async function publicationTarget(url: string): Promise<{ name: string; path: string } | undefined> {
  const res = await fetch(`${url}/api/v1/search?q=toolkit&type=publication`);
  if (!res.ok) return undefined;
  const body = (await res.json()) as { results?: { url: string }[] };
  const hit = body.results?.[0];
  return hit ? { name: 'publication page', path: new URL(hit.url, url).pathname } : undefined;
}

export async function httpSuite(ctx: SuiteContext, dataset: Dataset): Promise<Figure[]> {
  const hello = await startHello(await freePort());
  const app = await startPlatform(await freePort(), dataset.env);
  const figures: Figure[] = [];
  try {
    const seconds = ctx.sizes.loadSeconds;
    const ceilings: LoadResult[] = [];
    const measureCeiling = async () => {
      // The ceiling needs no warm-up and moves with the machine's load, not with the length of its run:
      // 3 s of a target's 10 measure it, before and after each target.
      const r = await load('hello world', `${hello.url}/`, { connections: CONNECTIONS, seconds: Math.max(2, Math.round(seconds * 0.3)) });
      ceilings.push(r);
      ctx.log(`  ceiling (hello world): ${r.requestsPerSecond} req/s, p50 ${r.latencyP50Ms} ms`);
    };
    await measureCeiling();
    const publication = await publicationTarget(app.url);
    if (!publication) ctx.log('  no demo publication found: the publication page is not measured');
    for (const target of publication ? [...HTTP_TARGETS, publication] : HTTP_TARGETS) {
      // Warm caches and JIT so the first target is not penalised.
      await load(`${target.name} warm-up`, `${app.url}${target.path}`, { connections: 8, seconds: 1 });
      const r = await load(target.name, `${app.url}${target.path}`, { connections: CONNECTIONS, seconds });
      await measureCeiling();
      const ceiling = ceilings.slice(-2).reduce((s, c) => s + c.requestsPerSecond, 0) / 2;
      ctx.log(`  ${target.name}: ${r.requestsPerSecond} req/s, p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms, errors ${r.errors}, non-2xx ${r.non2xx}`);
      figures.push({
        suite: 'http',
        backend: ctx.backend.name,
        name: target.name,
        value: r.requestsPerSecond,
        unit: 'req/s',
        baseline: { name: 'hello world (mean of the runs before and after)', value: round(ceiling, 1), unit: 'req/s' },
        ratio: round(r.requestsPerSecond / ceiling, 3),
        extra: { path: target.path, connections: CONNECTIONS, p50Ms: r.latencyP50Ms, p99Ms: r.latencyP99Ms, errors: r.errors, non2xx: r.non2xx },
      });
    }
  } finally {
    await app.kill();
    await hello.kill();
  }
  return figures;
}

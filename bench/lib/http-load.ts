import autocannon from 'autocannon';
import { round } from './stats.ts';

export type LoadResult = {
  name: string;
  path: string;
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: number;
  non2xx: number;
  ratioToCeiling?: number;
};

/** Drives one URL with N connections for a fixed time (bounded, loopback only). */
export async function load(name: string, url: string, opts: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadResult> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) throw new Error(`Load tests only target loopback, not ${url}`);
  const r = await autocannon({ url, connections: opts.connections, duration: opts.seconds, headers: opts.headers });
  return {
    name,
    path: new URL(url).pathname + new URL(url).search,
    connections: opts.connections,
    seconds: opts.seconds,
    requestsPerSecond: round(r.requests.average, 1),
    latencyP50Ms: round(r.latency.p50, 2),
    latencyP99Ms: round(r.latency.p99, 2),
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

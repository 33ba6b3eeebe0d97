import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const PGBIN = process.env.PGBIN ?? '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function postgresAvailable(): boolean {
  return fs.existsSync(path.join(PGBIN, 'initdb'));
}

function asPostgres(args: string[]) {
  const root = process.getuid?.() === 0;
  const cmd = root ? 'su' : args[0]!;
  const argv = root ? ['postgres', '-s', '/bin/bash', '-c', args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')] : args.slice(1);
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export type PgServer = { url: string; version: string; stop(): void; pause(): void; resume(): void };

/** Starts a throw-away PostgreSQL 15 server on loopback, the way CI does. */
export async function startPostgres(): Promise<PgServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-bench-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const port = await freePort();
  asPostgres([path.join(PGBIN, 'initdb'), '-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const start = () =>
    asPostgres([
      path.join(PGBIN, 'pg_ctl'),
      '-D',
      `${dir}/data`,
      '-l',
      `${dir}/log`,
      '-w',
      '-o',
      `-p ${port} -h 127.0.0.1 -k ${dir} -c max_connections=300 -c shared_buffers=256MB`,
      'start',
    ]);
  start();
  const version = execFileSync(path.join(PGBIN, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    version,
    /** Stops the server but keeps its data, to test an application that loses its database. */
    pause() {
      asPostgres([path.join(PGBIN, 'pg_ctl'), '-D', `${dir}/data`, '-m', 'fast', 'stop']);
    },
    resume: start,
    stop() {
      try {
        asPostgres([path.join(PGBIN, 'pg_ctl'), '-D', `${dir}/data`, '-m', 'fast', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

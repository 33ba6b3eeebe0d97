import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';

export type Credentials = { label: string; email: string; password: string };

export type E2eServer = {
  url: string;
  /** The lines printed at first start, as a person running `npm start` sees them. */
  firstStartLines: string[];
  /** The accounts printed at first start, by the first word of their label (administrator, coordinator, focal, staff). */
  credentials: Credentials[];
  account(label: string): Credentials;
  running: RunningServer;
  close(): Promise<void>;
};

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Reads "  administrator   admin@example.org   s3cret" lines into credentials. */
export function parseCredentials(lines: string[]): Credentials[] {
  const out: Credentials[] = [];
  for (const line of lines.flatMap((l) => l.split('\n'))) {
    const m = /^\s+(\S.*?)\s{2,}(\S+@\S+)\s+(\S+)\s*$/.exec(line);
    if (m) out.push({ label: m[1]!, email: m[2]!, password: m[3]! });
  }
  return out;
}

/**
 * Starts the real platform (`startServer`, the code behind `npm start`) on a free port with a
 * new data directory and demo content, and keeps what it prints at first start.
 */
export async function startE2eServer(): Promise<E2eServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-e2e-'));
  const port = await freePort();
  const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, DEMO_CONTENT: 'true', LOG_LEVEL: 'silent' });
  const firstStartLines: string[] = [];
  const running = await startServer(config, { logger: pino({ level: 'silent' }), onFirstStart: (lines) => firstStartLines.push(...lines) });
  const credentials = parseCredentials(firstStartLines);
  return {
    url: running.url,
    firstStartLines,
    credentials,
    running,
    account(label) {
      const found = credentials.find((c) => c.label.toLowerCase().startsWith(label.toLowerCase()));
      if (!found) throw new Error(`No "${label}" account was printed at first start:\n${firstStartLines.join('\n')}`);
      return found;
    },
    async close() {
      await running.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

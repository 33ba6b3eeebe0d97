import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE, type DataDirLock } from '../../src/db/lock.ts';
import { runIcat } from '../support/cli.ts';

let dir: string;
let held: DataDirLock | undefined;
afterEach(() => {
  held?.release();
  held = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});
const freshDir = () => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-lock-')));

describe('the data-directory lock', () => {
  it('makes a second process that opens the same data directory fail with the documented message and exit code 2', async () => {
    held = acquireDataDirLock(freshDir());
    const r = await runIcat(['migrate'], { env: { DATA_DIR: dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The data directory ${dir} is in use by another ICAT process (pid ${process.pid} on ${os.hostname()}`);
    expect(r.stderr).toContain('The embedded database allows exactly one process per data directory.');
    expect(fs.existsSync(path.join(dir, 'pg'))).toBe(false);
  });

  it('refuses a second opener in the same process too', () => {
    held = acquireDataDirLock(freshDir());
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
  });

  it('takes over the lock left by a process that died', () => {
    freshDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    expect(deadPid).toBeGreaterThan(0);
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid, host: os.hostname(), since: '2020-01-01T00:00:00.000Z' }));
    held = acquireDataDirLock(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('removes the lock file when released, so the next process may open the directory', () => {
    const lock = acquireDataDirLock(freshDir());
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    held = acquireDataDirLock(dir);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = '.icat.lock';

/** Raised when another live process holds the data directory. */
export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(dir: string, holder: LockHolder) {
    super(
      `The data directory ${dir} is in use by another ICAT process (pid ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
        'Stop that process first, or run the command against its HTTP API. ' +
        'The embedded database allows exactly one process per data directory.',
    );
    this.name = 'DataDirLockedError';
  }
}

/** Raised when the data directory cannot be created or written (read-only mount, permissions). */
export class DataDirUnwritableError extends Error {
  readonly code = 'DATA_DIR_UNWRITABLE';
  constructor(dir: string, cause: NodeJS.ErrnoException) {
    const why = cause.code === 'EROFS' ? 'it is on a read-only file system' : cause.code === 'EACCES' || cause.code === 'EPERM' ? 'this user may not write there' : cause.message;
    super(`The data directory ${dir} cannot be written: ${why}. Set DATA_DIR to a writable folder.`, { cause });
    this.name = 'DataDirUnwritableError';
  }
}

type LockHolder = { pid: number; host: string; since: string };

export type DataDirLock = { release(): void; path: string };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/**
 * Takes the exclusive lock of a data directory: a second opener gets DataDirLockedError
 * instead of silently losing writes. A lock left by a dead process on this host is taken over.
 */
export function acquireDataDirLock(dir: string): DataDirLock {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new DataDirUnwritableError(dir, err as NodeJS.ErrnoException);
  }
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify(me));
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        const holder = readHolder(file);
        if (holder?.pid === me.pid && holder.since === me.since) fs.rmSync(file, { force: true });
      };
      process.once('exit', release);
      return { release, path: file };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder && holder.host === me.host && holder.pid !== me.pid && !isAlive(holder.pid)) {
        // Stale lock of a process that died without releasing it (kill -9, power loss).
        fs.rmSync(file, { force: true });
        continue;
      }
      if (holder && holder.pid === me.pid && holder.host === me.host) {
        throw new DataDirLockedError(dir, holder);
      }
      throw new DataDirLockedError(dir, holder ?? { pid: -1, host: 'unknown', since: 'unknown' });
    }
  }
  throw new DataDirLockedError(dir, readHolder(file) ?? { pid: -1, host: 'unknown', since: 'unknown' });
}

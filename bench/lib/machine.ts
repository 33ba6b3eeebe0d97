import { execFileSync } from 'node:child_process';
import os from 'node:os';

export type MachineFacts = {
  date: string;
  gitRevision: string;
  node: string;
  platform: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  loadAverage: number[];
};

/** What the figures were measured on: they mean little without it. */
export function machineFacts(): MachineFacts {
  let gitRevision = 'unknown';
  try {
    gitRevision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    if (dirty) gitRevision += '+dirty';
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    gitRevision,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

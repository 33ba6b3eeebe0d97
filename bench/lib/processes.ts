import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export type Child = { proc: ChildProcess; url: string; output: () => string; kill(signal?: NodeJS.Signals): Promise<number | null> };

/** Polls `url` until it answers 2xx; gives up at the timeout, or as soon as `exited()` says the process is gone. */
export async function waitForHttp(url: string, timeoutMs = 60_000, exited: () => boolean = () => false): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    if (exited()) throw new Error(`the process ended before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = new Error(`HTTP ${res.status}`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

function track(proc: ChildProcess, url: string): Child {
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  // 'close' comes after the process ended and its output was read to the end.
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return {
    proc,
    url,
    output: () => out,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Starts the real platform server (`icat serve`) as its own process. */
export async function startPlatform(port: number, env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, [path.join(root, 'bin/icat.js'), 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = track(proc, `http://127.0.0.1:${port}`);
  try {
    await waitForHttp(`${child.url}/healthz`, 60_000, () => proc.exitCode !== null || proc.signalCode !== null);
  } catch (err) {
    await child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${child.output()}`, { cause: err });
  }
  return child;
}

/** Starts the hello-world baseline server. */
export async function startHello(port: number): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/hello-server.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = track(proc, `http://127.0.0.1:${port}`);
  await waitForHttp(`${child.url}/`);
  return child;
}

/**
 * Runs a bench child script (`bench/lib/<script>` under tsx) and resolves with the JSON object
 * it prints on its last line of standard output; rejects with its exit code and the tail of its
 * standard error otherwise.
 */
export function runJsonChild<T>(script: string, args: string[], env: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/lib', script), ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${script} ${args.join(' ')} failed with ${code}: ${err}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}

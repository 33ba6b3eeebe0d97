import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A real S3-compatible HTTP server for tests: s3rver (@20minutes/s3rver) in a child process,
 * which checks every request's AWS Signature Version 4 against its account and answers with
 * S3's error documents. One server per test file, on a free port, storing in a temporary folder.
 */

/** The server's built-in account. */
export const S3_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const S3_BUCKET = 'icat-test';

export type TestS3 = { endpoint: string; directory: string; env: Record<string, string>; close(): Promise<void> };

export async function startS3(buckets: string[] = [S3_BUCKET]): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-s3-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', path.join(import.meta.dirname, 's3-server.mjs'), directory, ...buckets], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the test S3 server stopped (${code}): ${stderr}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    directory,
    /** The settings of an installation that keeps its documents in the first bucket. */
    env: {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: buckets[0] ?? S3_BUCKET,
      S3_ACCESS_KEY_ID: S3_KEY.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3_KEY.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

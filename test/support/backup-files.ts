import { createHash } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';

/** The lines of a backup file, decompressed (without the final empty string). */
export function backupLines(file: string): string[] {
  return zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').replace(/\n$/, '').split('\n');
}

/**
 * Writes a backup file from lines, recomputing the final checksum line the way icat backup
 * does, so a test can build a file that is intact but whose content is wrong.
 */
export function writeBackupLines(file: string, body: string[]): void {
  const text = body.map((l) => `${l}\n`).join('');
  const sha256 = createHash('sha256').update(text).digest('hex');
  fs.writeFileSync(file, zlib.gzipSync(`${text}${JSON.stringify({ sha256 })}\n`));
}

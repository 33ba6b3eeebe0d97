import { AppError } from '../domain/errors.ts';

/** Opaque cursors for keyset pagination: the sort key of the last row returned. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): (string | number)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length && key.every((k) => typeof k === 'string' || typeof k === 'number')) return key;
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'The cursor is not one this server issued.', {
    fields: [{ path: 'cursor', message: 'Use the nextCursor value of a previous page.' }],
  });
}

import type { FieldError } from '../domain/errors.ts';

/**
 * Finds strings holding a NUL character anywhere in a parsed input: PostgreSQL text cannot
 * store it, so such input is refused up front with the path of each offending field.
 */
export function findNulCharacters(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? [{ path: path || '(body)', message: 'Contains a NUL character (U+0000), which cannot be stored. Remove it.', code: 'invalid_string' }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findNulCharacters(v, path ? `${path}.${i}` : String(i)));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(k.includes('\u0000') ? [{ path: path || '(body)', message: 'A field name contains a NUL character.', code: 'invalid_key' }] : []),
      ...findNulCharacters(v, path ? `${path}.${k}` : k),
    ]);
  }
  return [];
}

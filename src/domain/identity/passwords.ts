import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { AppError } from '../errors.ts';

/** argon2id with the OWASP-recommended minimum (19 MiB, 2 passes): safe and quick enough for sign-in. */
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

/** Hashes a password with argon2id; the result carries its own salt and parameters. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

/** True when the password matches the stored hash; a malformed hash counts as a mismatch. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time a real verification would, for an unknown e-mail address or an account
 * without a password, so the response time does not reveal which accounts exist.
 */
export async function dummyVerify(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
  return false;
}

/**
 * Checks the password policy: 12 to 200 characters, and not the account's e-mail address
 * (or its local part). Throws VALIDATION_FAILED naming the field.
 */
export function checkPasswordPolicy(password: string, email: string | undefined, field = 'password'): void {
  const fail = (message: string, code: string) => {
    throw new AppError('VALIDATION_FAILED', message, { fields: [{ path: field, message, code }] });
  };
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) fail(`Use at least ${PASSWORD_MIN_LENGTH} characters.`, 'too_short');
  if (length > PASSWORD_MAX_LENGTH) fail(`Use at most ${PASSWORD_MAX_LENGTH} characters.`, 'too_long');
  if (email) {
    const p = password.trim().toLowerCase();
    const e = email.trim().toLowerCase();
    const local = e.split('@')[0] ?? '';
    if (p === e || (local.length >= 4 && p === local)) fail('Do not use your e-mail address as your password.', 'is_email');
  }
}

/** A random password for accounts created by seeds and the CLI (printed once, never stored in clear). */
export function generatePassword(): string {
  // 18 random bytes → 24 URL-safe characters, about 144 bits.
  return randomBytes(18).toString('base64url');
}

import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_DIGITS = 10;
const RANDOM_DIGITS = 16;

/**
 * Makes prefixed, time-ordered identifiers (`org_01j…`): 10 characters of millisecond time and
 * 16 of randomness, in lower-case Crockford base32, so ids sort by creation. The order is strict
 * within the generator: in the same millisecond, or after the clock stepped back, the random part
 * of the previous identifier is incremented, as a monotonic ULID does. The embedded database
 * stamps times to the millisecond, so `order by created_at, id` relies on this to list records in
 * the order they were made.
 */
export function idGenerator(random: (n: number) => Uint8Array = randomBytes, clock: () => number = Date.now): (prefix: string) => string {
  let lastTime = -1;
  const digits = new Array<number>(RANDOM_DIGITS).fill(0);
  return (prefix) => {
    let time = clock();
    if (time > lastTime) {
      lastTime = time;
      const bytes = random(RANDOM_DIGITS);
      for (let i = 0; i < RANDOM_DIGITS; i++) digits[i] = bytes[i]! % 32;
    } else {
      time = lastTime;
      // 32^16 identifiers in one millisecond: move on to the next one.
      if (!increment(digits)) lastTime = time = lastTime + 1;
    }
    let head = '';
    for (let i = 0; i < TIME_DIGITS; i++) {
      head = ALPHABET[time % 32] + head;
      time = Math.floor(time / 32);
    }
    let tail = '';
    for (const d of digits) tail += ALPHABET[d];
    return `${prefix}_${head}${tail}`;
  };
}

/** Adds one to base-32 digits, most significant first; false when they overflowed to zero. */
function increment(digits: number[]): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i] = digits[i]! + 1;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}

/** The process's identifiers: one generator, so every id made here sorts after the ones before. */
export const newId = idGenerator();

/** A random secret for tokens and session ids, URL-safe. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

import { describe, expect, it } from 'vitest';
import { idGenerator, newId, newSecret } from '../../src/lib/ids.ts';

const timePart = (id: string) => id.split('_')[1]!.slice(0, 10);
const randomPart = (id: string) => id.split('_')[1]!.slice(10);
const T = Date.parse('2026-11-29T12:00:00.000Z');

describe('newId', () => {
  it('has the prefix, 10 characters of time and 16 of randomness in Crockford base32', () => {
    expect(newId('pub')).toMatch(/^pub_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it('sorts in the order the identifiers were made, thousands in the same millisecond included', () => {
    const next = idGenerator(undefined, () => T);
    const ids = Array.from({ length: 5000 }, () => next('act'));
    expect(new Set(ids.map(timePart)).size).toBe(1);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the order when the clock steps back, and draws new randomness in a later millisecond', () => {
    let now = T + 1000;
    const next = idGenerator(undefined, () => now);
    const before = next('org');
    now = T - 60_000;
    const afterStepBack = next('org');
    expect(afterStepBack > before).toBe(true);
    expect(timePart(afterStepBack)).toBe(timePart(before));
    now = T + 2000;
    const later = next('org');
    expect(timePart(later) > timePart(before)).toBe(true);
    const tails = Array.from({ length: 20 }, () => {
      now += 1;
      return randomPart(next('org'));
    });
    expect(new Set(tails).size).toBe(20);
  });

  it('carries into the time when the random part of one millisecond is used up', () => {
    const next = idGenerator((n) => new Uint8Array(n).fill(31), () => T);
    const last = next('x');
    expect(randomPart(last)).toBe('z'.repeat(16));
    const overflow = next('x');
    expect(randomPart(overflow)).toBe('0'.repeat(16));
    expect(overflow > last).toBe(true);
    expect(next('x') > overflow).toBe(true);
  });

  it('encodes the time so that the string order is the time order', () => {
    const a = idGenerator(undefined, () => T)('p');
    const b = idGenerator(undefined, () => T + 1)('p');
    expect(timePart(a) < timePart(b)).toBe(true);
    expect(timePart(a)).toBe(timePart(idGenerator(undefined, () => T)('q')));
  });
});

describe('newSecret', () => {
  it('is URL-safe and differs every time', () => {
    const a = newSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret()).not.toBe(a);
  });
});

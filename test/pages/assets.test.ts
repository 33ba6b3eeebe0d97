import { describe, expect, it } from 'vitest';
import { loadAssets } from '../../src/http/assets.ts';

describe('static assets', () => {
  const assets = loadAssets();
  const css = assets.get('app.css')!.body.toString('utf8');

  it('points every url() of the stylesheet at a fingerprinted asset that exists, none at another site', () => {
    const urls = [...css.matchAll(/url\("?([^")]+)"?\)/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:') && !u.startsWith('#'));
    expect(urls.length).toBeGreaterThan(9);
    const served = new Set([...assets.values()].map((a) => a.url));
    for (const u of urls) expect(served.has(u), u).toBe(true);
  });

  it('self-hosts a font for Arabic text, limited to the Arabic script', () => {
    const faces = [...css.matchAll(/@font-face \{[^}]*"Noto Sans Arabic"[^}]*\}/g)].map((m) => m[0]);
    expect(faces).toHaveLength(3);
    for (const face of faces) {
      expect(face).toMatch(/url\("\/assets\/fonts\/noto-sans-arabic-\d00\.[0-9a-f]{12}\.woff2"\)/);
      expect(face).toContain('unicode-range: U+0600-06FF');
    }
  });
});

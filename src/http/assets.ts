import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Asset = { body: Buffer; type: string; hash: string; url: string };

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Self-hosted font files taken from their npm packages (no CDN). */
const FONT_FILES: Record<string, string> = {
  'roboto-latin-400.woff2': '@fontsource/roboto/files/roboto-latin-400-normal.woff2',
  'roboto-latin-500.woff2': '@fontsource/roboto/files/roboto-latin-500-normal.woff2',
  'roboto-latin-700.woff2': '@fontsource/roboto/files/roboto-latin-700-normal.woff2',
  'roboto-latin-ext-400.woff2': '@fontsource/roboto/files/roboto-latin-ext-400-normal.woff2',
  'roboto-latin-ext-500.woff2': '@fontsource/roboto/files/roboto-latin-ext-500-normal.woff2',
  'roboto-latin-ext-700.woff2': '@fontsource/roboto/files/roboto-latin-ext-700-normal.woff2',
  'roboto-cyrillic-400.woff2': '@fontsource/roboto/files/roboto-cyrillic-400-normal.woff2',
  'roboto-cyrillic-500.woff2': '@fontsource/roboto/files/roboto-cyrillic-500-normal.woff2',
  'roboto-cyrillic-700.woff2': '@fontsource/roboto/files/roboto-cyrillic-700-normal.woff2',
  'noto-sans-arabic-400.woff2': '@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff2',
  'noto-sans-arabic-500.woff2': '@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-500-normal.woff2',
  'noto-sans-arabic-700.woff2': '@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-700-normal.woff2',
};

/**
 * Loads every static asset once at start and names it by content hash, so pages link to
 * `/assets/app.3f2a….css` and browsers may cache it for a year.
 */
export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (name: string, body: Buffer) => {
    const ext = path.extname(name);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const url = `/assets/${name.slice(0, -ext.length)}.${hash}${ext}`;
    assets.set(name, { body, type: TYPES[ext] ?? 'application/octet-stream', hash, url });
  };
  for (const [name, spec] of Object.entries(FONT_FILES)) add(`fonts/${name}`, fs.readFileSync(require.resolve(spec)));
  const publicDir = path.join(root, 'public');
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name !== 'app.css') add(`${prefix}${entry.name}`, fs.readFileSync(path.join(dir, entry.name)));
    }
  };
  walk(publicDir, '');
  // The stylesheet refers to fonts and images by name; rewrite those to their hashed URLs.
  const css = fs.readFileSync(path.join(publicDir, 'app.css'), 'utf8').replace(/url\("?\/assets\/([^")]+)"?\)/g, (m, name: string) => {
    const a = assets.get(name);
    return a ? `url("${a.url}")` : m;
  });
  add('app.css', Buffer.from(css));
  return assets;
}

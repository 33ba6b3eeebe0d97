import { Hono } from 'hono';
import { readStoredFile } from '../storage/files.ts';
import type { AppEnv } from './env.ts';

const TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

/** Serves uploaded files (organization logos) from DATA_DIR/files; names are random, so they cache for ever. */
export function fileRoutes() {
  const files = new Hono<AppEnv>();
  files.get('/files/logos/:name', async (c) => {
    const name = c.req.param('name');
    const body = await readStoredFile(c.get('services').config.dataDir, 'logos', name);
    if (!body) return c.notFound();
    return c.body(new Uint8Array(body), 200, {
      'content-type': TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream',
      'cache-control': 'public, max-age=31536000, immutable',
      'content-disposition': 'inline',
    });
  });
  return files;
}

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_FILE, renderOpenApi } from '../../src/cli/openapi.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

describe('openapi/openapi.json', () => {
  it('is the document the code generates (after changing the API, run `npm run openapi` and commit the file)', async () => {
    const committed = fs.existsSync(OPENAPI_FILE) ? fs.readFileSync(OPENAPI_FILE, 'utf8') : '(missing)';
    expect(committed, 'openapi/openapi.json is stale: run `npm run openapi` and commit the result').toBe(await renderOpenApi());
  });

  it('is what the server publishes at /api/v1/openapi.json', async () => {
    const res = await env.app.request('http://localhost/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(await renderOpenApi()));
  });

  it('is OpenAPI 3.1 and describes every operation with a summary and responses', async () => {
    const doc = JSON.parse(await renderOpenApi()) as { openapi: string; paths: Record<string, Record<string, { summary?: string; responses?: object }>> };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ at: `${m.toUpperCase()} ${p}`, op })));
    expect(operations.length).toBeGreaterThan(0);
    for (const { at, op } of operations) {
      expect(op.summary, `${at} needs a summary`).toBeTruthy();
      expect(Object.keys(op.responses ?? {}).length, `${at} needs responses`).toBeGreaterThan(0);
    }
  });
});

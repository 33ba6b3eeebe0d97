import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../../src/config/config.ts';
import { runIcat } from '../support/cli.ts';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data', DEMO_CONTENT: true, baseUrl: 'http://127.0.0.1:3000' });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.SMTP_HOST).toBeUndefined();
  });

  it('names a port that is not a number, with the expected form', () => {
    expect(problemsOf({ PORT: 'abc' })).toMatch(/PORT="abc": .*1 to 65535/);
  });

  it('names a database URL of another kind of database, with the expected form', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })).toMatch(/DATABASE_URL="mysql:\/\/x": must start with postgres:\/\/ or postgresql:\/\//);
  });

  it('names every wrong setting at once', () => {
    const message = problemsOf({ PORT: '70000', BASE_URL: 'ftp://example.org', SMTP_SECURE: 'maybe', LOG_LEVEL: 'loud' });
    for (const key of ['PORT', 'BASE_URL', 'SMTP_SECURE', 'LOG_LEVEL']) expect(message).toContain(`${key}=`);
  });

  it('describes every setting (the README table is built from these descriptions)', () => {
    for (const [key, field] of Object.entries(configSchema.shape)) expect(field.description, key).toBeTruthy();
  });
});

describe('start-up with a wrong setting', () => {
  it.each([
    ['PORT', 'abc', /PORT="abc"/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL="mysql:\/\/x": must start with postgres:\/\//],
  ])('stops with exit code 2 and a message naming %s', async (key, value, message) => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'icat-config-')), 'data');
    const r = await runIcat(['serve'], { env: { DATA_DIR: dataDir, [key]: value } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Invalid configuration:/);
    expect(r.stderr).toMatch(message);
    expect(fs.existsSync(dataDir)).toBe(false);
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });
});

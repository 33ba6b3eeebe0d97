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

  it('describes every setting, so that a wrong value is reported with its expected form', () => {
    for (const [key, field] of Object.entries(configSchema.shape)) expect(field.description, key).toBeTruthy();
  });

  it('has every setting in the README configuration table, with its default', () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const defaults = loadConfig({}) as unknown as Record<string, unknown>;
    for (const key of Object.keys(configSchema.shape)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
      expect(row, `README.md needs a row for ${key}`).toBeDefined();
      if (defaults[key] !== undefined) expect(row, `README.md should give the default of ${key}`).toContain(`\`${String(defaults[key])}\``);
    }
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

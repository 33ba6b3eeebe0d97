import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { signIn } from '../../src/domain/identity/sessions.ts';
import { loadConfig } from '../../src/config/config.ts';
import { cliWorkspace, runIcat } from '../support/cli.ts';

// The real `icat` command, as a person runs it: a child process on a temporary DATA_DIR
// (or its own database on the server when TEST_DATABASE_URL is set). Tests run in order.
let a: Awaited<ReturnType<typeof cliWorkspace>>;
let b: Awaited<ReturnType<typeof cliWorkspace>>;
let adaPassword = '';
let tokenId = '';

beforeAll(async () => {
  a = await cliWorkspace();
  b = await cliWorkspace();
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const icat = (args: string[], input?: string) => runIcat(args, { env: a.env, input });

describe('icat migrate', () => {
  it('applies the migrations, prints them and the level, and does nothing the second time', async () => {
    const first = await icat(['migrate']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied: 0001_identity, 0002_platform_state/);
    expect(first.stdout).toMatch(/Migration level: \d{4}_\w+/);
    const again = await icat(['migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to apply/);
  }, 60_000);
});

describe('icat user', () => {
  it('creates an administrator with a generated password that it prints once', async () => {
    const r = await icat(['user', 'create', '--email', 'Ada@Example.org', '--name', 'Ada Lovelace', '--role', 'administrator']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Created usr_\w+ ada@example\.org \(administrator\)/);
    adaPassword = /Password: (\S+)/.exec(r.stdout)?.[1] ?? '';
    expect(adaPassword.length).toBeGreaterThanOrEqual(20);
  }, 30_000);

  it('takes the password from standard input with --password-stdin and prints none', async () => {
    const r = await icat(['user', 'create', '--email', 'grace@example.org', '--name', 'Grace Hopper', '--password-stdin'], 'a very secret passphrase\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/Password:/);
  }, 30_000);

  it('lists the accounts', async () => {
    const r = await icat(['user', 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^E-MAIL\s+NAME/);
    expect(r.stdout).toMatch(/ada@example\.org\s+Ada Lovelace\s+administrator/);
    expect(r.stdout).toMatch(/grace@example\.org\s+Grace Hopper/);
  }, 30_000);

  it('answers invalid input with exit code 3 naming the field', async () => {
    const bad = await icat(['user', 'create', '--email', 'not-an-address', '--name', 'X']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/email/);
    const usage = await icat(['user', 'create', '--name', 'No e-mail']);
    expect(usage.code).toBe(3);
    expect(usage.stderr).toMatch(/--email/);
  }, 60_000);

  it('acts as a named person with --as, whose rights then apply', async () => {
    const r = await icat(['--as', 'grace@example.org', 'user', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not allowed/);
  }, 60_000);

  it('sends the due search-alert digests and delivers queued mail, as an administrator only', async () => {
    const r = await icat(['alerts', 'send']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Checked 0 due alert(s); queued 0 digest(s).');
    expect(r.stdout).toMatch(/Delivered \d+ message\(s\) to outbox folder/);
    const refused = await icat(['--as', 'grace@example.org', 'alerts', 'send']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not allowed/);
  }, 60_000);
  it('keeps the frequent words of the search, as an administrator only', async () => {
    // From 10 documents on, a word in every publication of the demo library is frequent.
    const r = await runIcat(['search', 'frequent-words', '--list'], { env: { ...a.env, SEARCH_FREQUENT_WORD_DOCUMENTS: '10' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+ frequent word\(s\): \d+ added, 0 dropped, 0 list entries trimmed, in \d+ ms\.$/m);
    const again = await icat(['search', 'frequent-words']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/ 0 added, /);
    const refused = await icat(['--as', 'grace@example.org', 'search', 'frequent-words']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not allowed/);
  }, 60_000);
});

describe('icat token', () => {
  it('creates a token and prints its secret once', async () => {
    const r = await icat(['token', 'create', '--name', 'IATI sync', '--user', 'ada@example.org', '--scope', 'read,write']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^icat_[0-9a-z]{8}_[A-Za-z0-9_-]{43}$/m);
    tokenId = /Created token (tok_\w+)/.exec(r.stdout)?.[1] ?? '';
    expect(tokenId).not.toBe('');
    const list = await icat(['token', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${tokenId}\\s+IATI sync\\s+ada@example\\.org\\s+read,write\\s+active`));
    expect(list.stdout).not.toMatch(/icat_[0-9a-z]{8}_/);
  }, 60_000);

  it('revokes a token, and answers an unknown one with exit code 4', async () => {
    const r = await icat(['token', 'revoke', tokenId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Revoked token ${tokenId} "IATI sync" of ada@example\\.org`));
    const missing = await icat(['token', 'revoke', 'tok_missing']);
    expect(missing.code).toBe(4);
  }, 60_000);
});

describe('icat backup and restore', () => {
  it('copies the whole database into another installation', async () => {
    const file = path.join(a.dataDir, 'snapshot.ndjson.gz');
    const backup = await icat(['backup', file]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/Backup written: .*snapshot\.ndjson\.gz \(\d+ rows in \d+ tables/);
    expect(backup.stderr).toMatch(/backup users\s+2\/2 rows/);
    expect(fs.existsSync(file)).toBe(true);

    const restore = await runIcat(['restore', file], { env: b.env });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/Restored \d+ rows in \d+ tables/);

    const again = await runIcat(['restore', file], { env: b.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--yes/);
    const damaged = path.join(a.dataDir, 'damaged.ndjson.gz');
    fs.writeFileSync(damaged, fs.readFileSync(file).subarray(0, 200));
    const refused = await runIcat(['restore', '--yes', damaged], { env: b.env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/not a usable ICAT backup/);
  }, 120_000);

  it('restores the accounts with their passwords, and leaves the data directory unlocked', async () => {
    const config = loadConfig({ ...b.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const db = config.DATABASE_URL ? await openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: 2 }) : await openDatabase({ dataDir: config.dataDir });
    try {
      const session = await signIn({ db, config, actor: { kind: 'anonymous' } }, { email: 'ada@example.org', password: adaPassword });
      expect(session.actor.platformRole).toBe('administrator');
      const users = await db.kysely.selectFrom('users').select('email').orderBy('email').execute();
      expect(users.map((u) => u.email)).toEqual(['ada@example.org', 'grace@example.org']);
    } finally {
      await db.close();
    }
  }, 60_000);
});

import { afterAll, afterEach, beforeAll } from 'vitest';
import { Journey } from './browser.ts';
import { startE2eServer, type E2eServer } from './server.ts';

/**
 * The set-up every browser test file shares: one real server for the file, journeys that are
 * closed after each test, and a check that every page each journey loaded was audited by axe —
 * even when the journey failed early.
 */
export function journeySuite() {
  let server: E2eServer | undefined;
  const journeys: Journey[] = [];

  beforeAll(async () => {
    server = await startE2eServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(async () => {
    const all = journeys.splice(0);
    try {
      for (const j of all) j.assertEveryPageChecked();
    } finally {
      for (const j of all) await j.close();
    }
  });

  const suite = {
    get server(): E2eServer {
      if (!server) throw new Error('The e2e server is not started yet (use it inside a test).');
      return server;
    },
    /** Opens a browser journey that is closed and checked after the test. */
    async start(opts?: Parameters<typeof Journey.start>[0]): Promise<Journey> {
      const j = await Journey.start(opts);
      journeys.push(j);
      return j;
    },
    /** Signs in through the sign-in form with an account printed at first start. */
    async signIn(j: Journey, label: string) {
      const account = suite.server.account(label);
      await j.visit(`${suite.server.url}/sign-in`);
      await j.page.locator('input[name="email"]').fill(account.email);
      await j.page.locator('input[name="password"]').fill(account.password);
      await j.clickAndCheck(() => j.page.locator('form[action="/sign-in"] button[type="submit"]').click());
      return account;
    },
  };
  return suite;
}

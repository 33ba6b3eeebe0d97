import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createTestDb } from '../support/db.ts';

// The embedded database answers in the same thread: without a turn of the event loop at each
// checkout, a request's statements ran as one chain of microtasks and every socket, timer and
// other request waited for it to finish (ADR 042). On the server the network gives those turns.

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

describe('the database and the event loop', () => {
  it('lets a timer or an I/O callback run between the statements of a long series', async () => {
    let done = 0;
    let ranAfter = -1;
    setImmediate(() => (ranAfter = done));
    for (; done < 50; done++) await sql`select 1`.execute(db.kysely);
    expect(ranAfter, 'statements run before the callback had its turn').toBeGreaterThanOrEqual(0);
    expect(ranAfter).toBeLessThanOrEqual(1);
  });
});

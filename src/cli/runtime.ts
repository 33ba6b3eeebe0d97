import type { Command } from 'commander';
import { ZodError } from 'zod';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import { DataDirLockedError, DataDirUnwritableError } from '../db/lock.ts';
import { migrate, MigrationChecksumError, type MigrationResult } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-from-config.ts';
import { systemActor, type Actor } from '../domain/actor.ts';
import type { DomainContext } from '../domain/context.ts';
import { AppError } from '../domain/errors.ts';
import { syncReferenceData } from '../domain/reference/sync-reference-data.ts';
import { findUserIdByEmail } from '../domain/identity/find-user.ts';
import { loadUserActor } from '../domain/identity/users.ts';
import { StorageUnavailableError } from '../storage/document-store.ts';

/** Exit codes of the icat command, documented in the README. */
export const EXIT = { ok: 0, failure: 1, config: 2, invalid: 3, notFound: 4 } as const;

/** An error whose message is for the person at the terminal, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const out = (text = '') => process.stdout.write(`${text}\n`);
export const note = (text = '') => process.stderr.write(`${text}\n`);

/** Converts anything thrown into the message to print and the exit code. */
export function describeFailure(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ConfigError || err instanceof DataDirLockedError || err instanceof DataDirUnwritableError) return { message: err.message, exitCode: EXIT.config };
  if (err instanceof MigrationChecksumError || err instanceof StorageUnavailableError) return { message: err.message, exitCode: EXIT.config };
  if (err instanceof ZodError) {
    const fields = err.issues.map((i) => `  ${i.path.join('.') || '(input)'}: ${i.message}`);
    return { message: `Some values are not valid:\n${fields.join('\n')}`, exitCode: EXIT.invalid };
  }
  if (err instanceof AppError) {
    const fields = err.fields.filter((f) => f.message !== err.message).map((f) => `  ${f.path}: ${f.message}`);
    const message = [err.message, ...fields].join('\n');
    if (err.code === 'VALIDATION_FAILED' || err.code === 'BAD_REQUEST' || err.code === 'MALFORMED_JSON') return { message, exitCode: EXIT.invalid };
    if (err.code === 'NOT_FOUND') return { message, exitCode: EXIT.notFound };
    return { message, exitCode: EXIT.failure };
  }
  const e = err as Error;
  const debug = /^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '');
  return { message: `Unexpected error: ${debug ? (e?.stack ?? String(err)) : (e?.message ?? String(err))}`, exitCode: EXIT.failure };
}

export type CliSession = {
  config: Config;
  db: Db;
  ctx: DomainContext;
  migrations: MigrationResult;
};

/**
 * Runs a command against the configured database: validates the configuration, opens the
 * database (taking the data-directory lock of the embedded one), applies pending migrations,
 * brings the reference data up to date (as a start does), and acts as the system administrator
 * or, with --as, as the named person.
 */
export async function withDatabase<T>(command: Command, fn: (s: CliSession) => Promise<T>, opts: { quiet?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const db = await openConfiguredDatabase(config);
  try {
    const migrations = await migrate(db.kysely);
    if (migrations.applied.length > 0 && !opts.quiet) note(`Applied migrations: ${migrations.applied.join(', ')}`);
    await syncReferenceData({ db });
    const as = (command.optsWithGlobals() as { as?: string }).as;
    const actor = as ? await actorByEmail(db, config, as) : systemActor;
    return await fn({ config, db, ctx: { db, config, actor }, migrations });
  } finally {
    await db.close();
  }
}

async function actorByEmail(db: Db, config: Config, email: string): Promise<Actor> {
  const id = await findUserIdByEmail({ db, config, actor: systemActor }, email);
  const actor = id ? await loadUserActor(db, id) : undefined;
  if (!actor) throw new CliError(`--as ${email}: no active account has this e-mail address.`, EXIT.notFound);
  return actor;
}

/** Reads all of standard input (for --password-stdin), without the final line break. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) note('Type the password, then press Enter and Ctrl-D:');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Prints rows as aligned columns. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  out(line(headers));
  for (const r of rows) out(line(r));
}

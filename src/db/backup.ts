import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import zlib from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Db, Tx } from './database.ts';
import { hasOrganizationsOrUsers } from './queries/platform-state.ts';
import type { Database } from './schema.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import { recordDocumentRemoval } from './queries/document-removals.ts';

/**
 * Application-level backups: one consistent snapshot of every table of the public schema,
 * and the stored files (logos, documents), written as gzip'd NDJSON that both back ends read,
 * so a backup taken on the embedded database restores on a PostgreSQL server and the other way
 * round.
 *
 *   line 1       {"format":"icat-backup","version":2,"createdAt":…,"migrationLevel":…,"tables":[…]}
 *   then         {"t":"<table>","r":{<row as to_jsonb>}}           (tables in dependency order)
 *   then, per stored file (version 2):
 *                {"file":"<path under the files folder>","bytes":<n>}
 *                {"chunk":"<base64 of up to 768 KiB>"}           (as many as needed)
 *                {"fileEnd":"<path>","sha256":"<hex of the file>"}
 *   last line    {"sha256":"<hex of every byte before this line>"}
 *
 * Version 1 files (tables only) are still read; restoring one leaves the stored files alone.
 *
 * Publication documents are `documents/<key>` in the file whatever the store: with an S3 store
 * they are read and written through the DocumentStore, so a backup taken with the local folder
 * restores into a bucket and the other way round.
 */
export const BACKUP_FORMAT = 'icat-backup';
export const BACKUP_VERSION = 2;
const READABLE_VERSIONS = [1, 2] as const;
const FILE_CHUNK = 768 * 1024;
/** A relative path of plain segments: nothing absolute, no `..`, no hidden or temporary names. */
const SAFE_FILE_PATH = /^(?!.*(?:^|\/)\.)[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}){0,7}$/;

const FETCH_ROWS = 1000;
const INSERT_ROWS = 1000;
const INSERT_BYTES = 2 * 1024 * 1024;

const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.union(READABLE_VERSIONS.map((v) => z.literal(v)) as [z.ZodLiteral<1>, z.ZodLiteral<2>]),
  createdAt: z.string(),
  backend: z.string(),
  migrationLevel: z.string().nullable(),
  migrations: z.array(z.object({ name: z.string(), checksum: z.string() })),
  tables: z.array(z.object({ name: z.string(), rows: z.number().int().min(0), columns: z.array(z.string()) })),
  sequences: z.array(z.object({ table: z.string(), column: z.string(), lastValue: z.number().nullable() })),
});
export type BackupHeader = z.infer<typeof headerSchema>;

export type BackupProgress = { phase: 'backup' | 'verify' | 'restore'; table: string; done: number; total: number };

const DOCUMENTS = 'documents/';

/** The stored files to put in a backup: every regular file under `dir`, sorted, temporary ones left out. */
function listStoredFiles(dir: string | undefined, skip?: string): string[] {
  if (!dir || !fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (skip && `${child}/` === skip) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && SAFE_FILE_PATH.test(child)) out.push(child);
    }
  };
  walk('');
  return out.sort();
}
export type ProgressFn = (p: BackupProgress) => void;

/** The file is not a complete, intact backup (damaged, truncated, edited or not a backup at all). */
export class BackupFileError extends Error {
  readonly code = 'BACKUP_INVALID';
  constructor(file: string, reason: string) {
    super(`${path.basename(file)} is not a usable ICAT backup: ${reason}. Nothing was changed.`);
    this.name = 'BackupFileError';
  }
}

/** The backup was taken at another migration level than the database it is restored into. */
export class BackupLevelError extends Error {
  readonly code = 'BACKUP_LEVEL_MISMATCH';
  constructor(fileLevel: string | null, dbLevel: string | null, detail = '') {
    super(
      `The backup was taken at migration level ${fileLevel ?? '(none)'} but this database is at ${dbLevel ?? '(none)'}${detail}. ` +
        'Restore it with the version of ICAT Platform that made it (then upgrade), or upgrade that installation first. Nothing was changed.',
    );
    this.name = 'BackupLevelError';
  }
}

/** A row of an intact backup could not be inserted (the transaction was rolled back). */
export class BackupRestoreError extends Error {
  readonly code = 'BACKUP_RESTORE_FAILED';
  constructor(table: string, cause: unknown) {
    super(`Restoring table ${table} failed: ${(cause as Error).message}. Nothing was changed: the restore runs in one transaction.`, { cause });
    this.name = 'BackupRestoreError';
  }
}

type TableInfo = { name: string; columns: string[]; orderBy: string[] };
type SequenceInfo = { table: string; column: string; sequence: string };

/** Every ordinary table of the public schema (not owned by an extension), parents before children. */
async function listTables(db: Kysely<Database> | Tx): Promise<TableInfo[]> {
  const tables = await sql<{ name: string; columns: string[]; pk: string[] | null }>`
    select c.relname as name,
      array(select a.attname::text from pg_attribute a
            where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
              and a.atttypid <> 'xid8'::regtype
            order by a.attnum) as columns,
      (select array_agg(a.attname::text order by array_position(i.indkey::int2[], a.attnum))
         from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey::int2[])
        where i.indrelid = c.oid and i.indisprimary) as pk
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    order by c.relname`.execute(db);
  const fks = await sql<{ child: string; parent: string }>`
    select ch.relname as child, pa.relname as parent
    from pg_constraint k
    join pg_class ch on ch.oid = k.conrelid join pg_class pa on pa.oid = k.confrelid
    join pg_namespace n on n.oid = ch.relnamespace
    where k.contype = 'f' and n.nspname = 'public' and ch.oid <> pa.oid`.execute(db);

  // Kahn's algorithm, ties broken by name so the order is stable.
  const parents = new Map(tables.rows.map((t) => [t.name, new Set<string>()]));
  for (const fk of fks.rows) parents.get(fk.child)?.add(fk.parent);
  const ordered: string[] = [];
  const left = new Set(parents.keys());
  while (left.size > 0) {
    const ready = [...left].filter((t) => [...(parents.get(t) ?? [])].every((p) => !left.has(p))).sort();
    // A cycle of foreign keys: fall back to name order for what remains.
    const next = ready.length > 0 ? ready : [...left].sort();
    for (const t of next) {
      ordered.push(t);
      left.delete(t);
    }
  }
  const byName = new Map(tables.rows.map((t) => [t.name, t]));
  return ordered.map((name) => {
    const t = byName.get(name)!;
    return { name, columns: t.columns, orderBy: t.pk ?? t.columns };
  });
}

/** Sequences that feed a column (identity or serial) of a public table. */
async function listSequences(db: Kysely<Database> | Tx): Promise<SequenceInfo[]> {
  const r = await sql<SequenceInfo>`
    select t.relname as table, a.attname as column, quote_ident(sn.nspname) || '.' || quote_ident(s.relname) as sequence
    from pg_class s
    join pg_namespace sn on sn.oid = s.relnamespace
    join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = s.oid and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
    join pg_class t on t.oid = d.refobjid
    join pg_namespace tn on tn.oid = t.relnamespace
    join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
    where s.relkind = 'S' and tn.nspname = 'public'
    order by t.relname, a.attname`.execute(db);
  return r.rows;
}

async function appliedMigrations(db: Kysely<Database> | Tx): Promise<{ name: string; checksum: string }[]> {
  const exists = await sql<{ t: string | null }>`select to_regclass('public.schema_migrations')::text as t`.execute(db);
  if (!exists.rows[0]?.t) return [];
  return db.selectFrom('schema_migrations').select(['name', 'checksum']).orderBy('name').execute();
}

const ident = (name: string) => sql.id(name);

/** The chunks of a stream regrouped into pieces of `size` bytes (the last one shorter). */
async function* rechunk(body: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let data = chunk;
    while (held + data.length >= size) {
      const take = size - held;
      parts.push(data.subarray(0, take));
      yield Buffer.concat(parts);
      data = data.subarray(take);
      parts = [];
      held = 0;
    }
    if (data.length > 0) {
      parts.push(data);
      held += data.length;
    }
  }
  if (held > 0) yield Buffer.concat(parts);
}

async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

export type BackupSummary = { file: string; bytes: number; header: BackupHeader; files: number };

/**
 * Writes a consistent snapshot of the database to `file` (via `file.tmp`, renamed when
 * complete). Reads in one REPEATABLE READ, read-only transaction through a cursor, so memory
 * stays flat however large the tables are.
 */
export async function writeBackup(db: Db, file: string, opts: { onProgress?: ProgressFn; filesDir?: string; documents?: DocumentStore } = {}): Promise<BackupSummary> {
  const target = path.resolve(file);
  const tmp = `${target}.tmp`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const gzip = zlib.createGzip({ level: 6 });
  const out = fs.createWriteStream(tmp, { mode: 0o600 });
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
    gzip.once('error', reject);
  });
  // Awaited on success; on failure the catch below reports the first error instead.
  finished.catch(() => undefined);
  gzip.pipe(out);
  const hash = createHash('sha256');
  const emit = async (line: string) => {
    const text = `${line}\n`;
    hash.update(text);
    await write(gzip, text);
  };

  try {
    const header = await db.kysely
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (tx) => {
        const tables = await listTables(tx);
        const counts: number[] = [];
        for (const t of tables) {
          const r = await sql<{ n: number }>`select count(*)::int as n from ${ident(t.name)}`.execute(tx);
          counts.push(r.rows[0]?.n ?? 0);
        }
        const sequences = [];
        for (const s of await listSequences(tx)) {
          const r = await sql<{ last_value: number; is_called: boolean }>`select last_value, is_called from ${sql.raw(s.sequence)}`.execute(tx);
          const row = r.rows[0];
          sequences.push({ table: s.table, column: s.column, lastValue: row?.is_called ? Number(row.last_value) : null });
        }
        const migrations = await appliedMigrations(tx);
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          version: BACKUP_VERSION,
          createdAt: new Date().toISOString(),
          backend: db.kind,
          migrationLevel: migrations.at(-1)?.name ?? null,
          migrations,
          tables: tables.map((t, i) => ({ name: t.name, rows: counts[i] ?? 0, columns: t.columns })),
          sequences,
        };
        await emit(JSON.stringify(header));

        for (const [i, t] of tables.entries()) {
          const total = counts[i] ?? 0;
          let done = 0;
          opts.onProgress?.({ phase: 'backup', table: t.name, done, total });
          const cols = sql.join(t.columns.map(ident));
          const order = sql.join(t.orderBy.map(ident));
          await sql`declare icat_backup no scroll cursor for
            select jsonb_build_object('t', ${t.name}::text, 'r', to_jsonb(x))::text as line
            from (select ${cols} from ${ident(t.name)} order by ${order}) x`.execute(tx);
          for (;;) {
            const batch = await sql<{ line: string }>`fetch forward ${sql.lit(FETCH_ROWS)} from icat_backup`.execute(tx);
            for (const row of batch.rows) await emit(row.line);
            done += batch.rows.length;
            if (batch.rows.length > 0) opts.onProgress?.({ phase: 'backup', table: t.name, done, total });
            if (batch.rows.length < FETCH_ROWS) break;
          }
          await sql`close icat_backup`.execute(tx);
        }
        return header;
      });

    // The stored files, after the snapshot: they are written once under new names and never
    // changed, so each one the snapshot refers to is there unless it was deleted meanwhile.
    // The local store's documents are in the files folder; a remote store's are listed from it.
    const remote = opts.documents && opts.documents.driver !== 'local' ? opts.documents : undefined;
    const files = listStoredFiles(opts.filesDir, remote ? DOCUMENTS : undefined);
    const documents: string[] = [];
    if (remote) for await (const key of remote.list()) documents.push(key);
    const total = files.length + documents.length;
    let written = 0;
    const emitFile = async (rel: string, body: Readable, size: number) => {
      await emit(JSON.stringify({ file: rel, bytes: size }));
      const fileHash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of rechunk(body, FILE_CHUNK)) {
        fileHash.update(chunk);
        bytes += chunk.length;
        await emit(JSON.stringify({ chunk: chunk.toString('base64') }));
      }
      if (bytes !== size) throw new Error(`The stored file ${rel} changed while it was being backed up; run the backup again.`);
      await emit(JSON.stringify({ fileEnd: rel, sha256: fileHash.digest('hex') }));
      written++;
      opts.onProgress?.({ phase: 'backup', table: 'files', done: written, total });
    };
    for (const rel of files) {
      const full = path.join(opts.filesDir!, rel);
      let stream: fs.ReadStream;
      try {
        stream = fs.createReadStream(full, { highWaterMark: FILE_CHUNK });
        await once(stream, 'open');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted since it was listed
        throw err;
      }
      await emitFile(rel, stream, fs.statSync(full).size);
    }
    for (const key of documents) {
      const stored = await remote!.open(key);
      if (!stored) continue; // deleted since it was listed
      await emitFile(`${DOCUMENTS}${key}`, stored.body, stored.size);
    }

    const trailer = `${JSON.stringify({ sha256: hash.digest('hex') })}\n`;
    gzip.end(trailer);
    await finished;
    const fd = fs.openSync(tmp, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
    return { file: target, bytes: fs.statSync(target).size, header, files: written };
  } catch (err) {
    gzip.destroy();
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Yields the lines of a gzip'd file as raw bytes (without the newline), streaming. */
async function* gzipLines(file: string): AsyncGenerator<Buffer> {
  let input: Readable;
  try {
    input = fs.createReadStream(file);
    await once(input, 'open');
  } catch (err) {
    throw new BackupFileError(file, `it cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const gunzip = zlib.createGunzip();
  input.pipe(gunzip);
  input.once('error', (err) => gunzip.destroy(err));
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      let nl: number;
      while ((nl = buf.indexOf(0x0a)) !== -1) {
        yield buf.subarray(0, nl);
        buf = buf.subarray(nl + 1);
      }
      rest = Buffer.from(buf);
    }
  } catch (err) {
    if (err instanceof BackupFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const reason = code.startsWith('Z_') || /gzip|header|end of file/i.test((err as Error).message)
      ? `the compressed data is damaged or cut short (${(err as Error).message})`
      : `it could not be read (${(err as Error).message})`;
    throw new BackupFileError(file, reason);
  } finally {
    input.destroy();
  }
  if (rest.length > 0) yield rest;
}

type RowLine = { t: string; r: Record<string, unknown> };

export type VerifiedBackup = { header: BackupHeader; sha256: string; files?: number; fileBytes?: number };

/**
 * Reads the whole file once and checks it: gzip integrity, the header, every line, the row
 * count of each table and the final sha256. Returns the header and the checksum.
 */
export async function verifyBackup(file: string, opts: { onProgress?: ProgressFn } = {}): Promise<VerifiedBackup> {
  const hash = createHash('sha256');
  let header: BackupHeader | undefined;
  let pending: Buffer | undefined;
  let lineNo = 0;
  const seen = new Map<string, number>();
  let current: string | undefined;
  const finished = new Set<string>();
  const files = new FileSections(file);

  const take = (line: Buffer) => {
    lineNo++;
    hash.update(line);
    hash.update('\n');
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch {
      throw new BackupFileError(file, `line ${lineNo} is not valid JSON`);
    }
    if (!header) {
      const parsed = headerSchema.safeParse(value);
      if (!parsed.success) throw new BackupFileError(file, `the first line is not an ${BACKUP_FORMAT} version ${BACKUP_VERSION} header`);
      header = parsed.data;
      return;
    }
    if (header.version >= 2 && typeof value === 'object' && value !== null && !('t' in value)) {
      if (current) finished.add(current);
      current = undefined;
      files.take(value as FileLine, lineNo);
      return;
    }
    if (files.started) throw new BackupFileError(file, `line ${lineNo} holds a row after the stored files`);
    const row = value as Partial<RowLine>;
    if (typeof row !== 'object' || row === null || typeof row.t !== 'string' || typeof row.r !== 'object' || row.r === null) {
      throw new BackupFileError(file, `line ${lineNo} is not a row`);
    }
    if (row.t !== current) {
      if (current) finished.add(current);
      if (finished.has(row.t) || !header.tables.some((t) => t.name === row.t)) {
        throw new BackupFileError(file, `line ${lineNo} holds a row of ${row.t}, which is unknown or out of order`);
      }
      current = row.t;
    }
    const n = (seen.get(row.t) ?? 0) + 1;
    seen.set(row.t, n);
    if (opts.onProgress && n % FETCH_ROWS === 0) {
      opts.onProgress({ phase: 'verify', table: row.t, done: n, total: header.tables.find((t) => t.name === row.t)?.rows ?? n });
    }
  };

  for await (const line of gzipLines(file)) {
    if (pending) take(pending);
    pending = line;
  }
  if (!header || !pending) throw new BackupFileError(file, 'it is empty or cut short');
  let trailer: unknown;
  try {
    trailer = JSON.parse(pending.toString('utf8'));
  } catch {
    throw new BackupFileError(file, 'the final checksum line is missing (the file is cut short)');
  }
  const expected = (trailer as { sha256?: unknown }).sha256;
  if (typeof expected !== 'string') throw new BackupFileError(file, 'the final checksum line is missing (the file is cut short)');
  const actual = hash.digest('hex');
  if (actual !== expected) throw new BackupFileError(file, 'its content does not match its checksum (it was damaged or edited)');
  for (const t of header.tables) {
    const n = seen.get(t.name) ?? 0;
    if (n !== t.rows) throw new BackupFileError(file, `table ${t.name} has ${n} rows where the header announces ${t.rows}`);
  }
  files.end();
  return { header, sha256: actual, files: files.count, fileBytes: files.bytes };
}

type FileLine = { file?: unknown; bytes?: unknown; chunk?: unknown; fileEnd?: unknown; sha256?: unknown };

/**
 * Reads the stored-file sections of a backup, line by line, checking their order, paths, sizes
 * and checksums; `sink` (when given) receives each file's bytes as they come.
 */
class FileSections {
  started = false;
  count = 0;
  bytes = 0;
  private open: { path: string; bytes: number; seen: number; hash: ReturnType<typeof createHash> } | undefined;
  private readonly names = new Set<string>();
  constructor(
    private readonly backupFile: string,
    private readonly sink?: { start(rel: string): void; write(rel: string, data: Buffer): void; end(rel: string): void },
  ) {}

  take(line: FileLine, lineNo: number): void {
    const bad = (why: string) => new BackupFileError(this.backupFile, `line ${lineNo} ${why}`);
    this.started = true;
    if (typeof line.file === 'string') {
      if (this.open) throw bad(`starts a file before ${this.open.path} ends`);
      if (!SAFE_FILE_PATH.test(line.file)) throw bad(`names a stored file with an unsafe path (${JSON.stringify(line.file.slice(0, 100))})`);
      if (this.names.has(line.file)) throw bad(`repeats the stored file ${line.file}`);
      if (typeof line.bytes !== 'number' || !Number.isSafeInteger(line.bytes) || line.bytes < 0) throw bad('gives no valid size for its file');
      this.names.add(line.file);
      this.open = { path: line.file, bytes: line.bytes, seen: 0, hash: createHash('sha256') };
      this.sink?.start(line.file);
    } else if (typeof line.chunk === 'string') {
      if (!this.open) throw bad('holds file content outside a file');
      const data = Buffer.from(line.chunk, 'base64');
      this.open.seen += data.length;
      if (this.open.seen > this.open.bytes) throw bad(`holds more content than the ${this.open.bytes} bytes announced for ${this.open.path}`);
      this.open.hash.update(data);
      this.sink?.write(this.open.path, data);
    } else if (typeof line.fileEnd === 'string') {
      if (!this.open || line.fileEnd !== this.open.path) throw bad('ends a file that was not started');
      if (this.open.seen !== this.open.bytes) throw bad(`ends ${this.open.path} after ${this.open.seen} of its ${this.open.bytes} bytes`);
      if (line.sha256 !== this.open.hash.digest('hex')) throw bad(`ends ${this.open.path}, whose content does not match its checksum`);
      this.sink?.end(this.open.path);
      this.count++;
      this.bytes += this.open.bytes;
      this.open = undefined;
    } else {
      throw bad('is neither a row nor part of a stored file');
    }
  }

  end(): void {
    if (this.open) throw new BackupFileError(this.backupFile, `the stored file ${this.open.path} is cut short`);
  }
}

/**
 * Compares a verified header with the database it would be restored into: same migrations
 * (names and checksums) and the same tables and columns. Throws BackupLevelError otherwise.
 */
export async function checkRestoreTarget(db: Db, header: BackupHeader): Promise<void> {
  const migrations = await appliedMigrations(db.kysely);
  const level = migrations.at(-1)?.name ?? null;
  const same =
    migrations.length === header.migrations.length &&
    migrations.every((m, i) => m.name === header.migrations[i]?.name && m.checksum === header.migrations[i]?.checksum);
  if (!same) {
    throw new BackupLevelError(header.migrationLevel, level, level === header.migrationLevel ? ' (the migration files differ)' : '');
  }
  const tables = await listTables(db.kysely);
  const key = (cols: string[]) => [...cols].sort().join(',');
  const theirs = new Map(header.tables.map((t) => [t.name, key(t.columns)]));
  const ours = new Map(tables.map((t) => [t.name, key(t.columns)]));
  const differ = [...new Set([...theirs.keys(), ...ours.keys()])].filter((t) => theirs.get(t) !== ours.get(t));
  if (differ.length > 0) throw new BackupLevelError(header.migrationLevel, level, ` (tables differ: ${differ.join(', ')})`);
}

/**
 * True when the database holds nothing of its users: no organization and no account (all other
 * content belongs to one of them). Reference data and the audit entries of its start-up sync,
 * which every fresh installation has, do not count.
 */
export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  return !(await hasOrganizationsOrUsers(db.kysely));
}

export type RestoreSummary = { tables: { name: string; rows: number }[]; header: BackupHeader; files: number | null };

/**
 * Replaces the whole content of the database with a backup, in ONE transaction: every table
 * is emptied, the rows inserted in batches, and the identity sequences moved past the
 * restored values. Call verifyBackup and checkRestoreTarget first; the file is read again here
 * and must still hash to `sha256`, or the transaction rolls back. `beforeCommit` runs inside
 * the transaction (for the audit entry).
 *
 * Stored files are staged in a folder beside the files folder. With a local document store
 * the staged folder replaces the files folder once the transaction has committed. With a
 * remote one (S3) the documents are uploaded from the staged folder before the commit (a
 * failure rolls back and removes what was uploaded), the objects the backup does not hold are
 * removed after it, and the other files swap in as above.
 */
export async function restoreBackup(
  db: Db,
  file: string,
  verified: { header: BackupHeader; sha256: string },
  opts: { onProgress?: ProgressFn; beforeCommit?: (tx: Tx) => Promise<void>; filesDir?: string; documents?: DocumentStore } = {},
): Promise<RestoreSummary> {
  const { header } = verified;
  const columnsOf = new Map(header.tables.map((t) => [t.name, t.columns]));
  const totals = new Map(header.tables.map((t) => [t.name, t.rows]));
  const withFiles = header.version >= 2 && opts.filesDir !== undefined;
  const filesDir = opts.filesDir ? path.resolve(opts.filesDir) : undefined;
  const staging = filesDir ? `${filesDir}.restoring-${process.pid}` : undefined;
  const remote = withFiles && opts.documents && opts.documents.driver !== 'local' ? opts.documents : undefined;
  if (staging) fs.rmSync(staging, { recursive: true, force: true });
  let fd: number | undefined;
  const sections = new FileSections(file, withFiles && staging
    ? {
        start(rel) {
          fs.mkdirSync(path.dirname(path.join(staging, rel)), { recursive: true });
          fd = fs.openSync(path.join(staging, rel), 'wx', 0o600);
        },
        write(_rel, data) {
          fs.writeSync(fd!, data);
        },
        end() {
          fs.closeSync(fd!);
          fd = undefined;
        },
      }
    : undefined);

  const before = new Set<string>();
  const uploaded: string[] = [];
  const stagedDocuments = () => (staging && fs.existsSync(path.join(staging, DOCUMENTS)) ? fs.readdirSync(path.join(staging, DOCUMENTS)).sort() : []);
  let summary: RestoreSummary;
  try {
    if (remote) for await (const key of remote.list()) before.add(key);
    summary = await restoreRows(db, file, verified, sections, columnsOf, totals, {
      ...opts,
      beforeCommit: async (tx) => {
        if (remote && staging) {
          const keys = stagedDocuments();
          for (const [i, key] of keys.entries()) {
            const full = path.join(staging, DOCUMENTS, key);
            await remote.putAt(key, fs.createReadStream(full), fs.statSync(full).size);
            uploaded.push(key);
            opts.onProgress?.({ phase: 'restore', table: 'documents', done: i + 1, total: keys.length });
          }
        }
        await opts.beforeCommit?.(tx);
      },
    });
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
    if (remote) for (const key of uploaded) if (!before.has(key)) await remote.remove(key).catch(() => undefined);
    throw err;
  }
  if (withFiles && staging && filesDir) {
    fs.mkdirSync(staging, { recursive: true });
    if (remote) {
      const kept = new Set(stagedDocuments());
      fs.rmSync(path.join(staging, DOCUMENTS), { recursive: true, force: true });
      // The documents folder of the local store, if any, is not part of the swap.
      const localDocuments = path.join(filesDir, DOCUMENTS);
      if (fs.existsSync(localDocuments)) fs.renameSync(localDocuments, path.join(staging, DOCUMENTS));
      for (const key of before) {
        if (kept.has(key)) continue;
        // Left over from before the restore; recorded for a later sweep if the storage fails now.
        await remote.remove(key).catch(() => recordDocumentRemoval(db.kysely, key));
      }
    }
    const old = `${filesDir}.replaced-${process.pid}`;
    if (fs.existsSync(filesDir)) fs.renameSync(filesDir, old);
    fs.renameSync(staging, filesDir);
    fs.rmSync(old, { recursive: true, force: true });
    return { ...summary, files: sections.count };
  }
  return summary;
}

async function restoreRows(
  db: Db,
  file: string,
  verified: VerifiedBackup,
  sections: FileSections,
  columnsOf: Map<string, string[]>,
  totals: Map<string, number>,
  opts: { onProgress?: ProgressFn; beforeCommit?: (tx: Tx) => Promise<void> },
): Promise<RestoreSummary> {
  const { header } = verified;
  return db.kysely.transaction().execute(async (tx) => {
    const tables = await listTables(tx);
    if (tables.length > 0) await sql`truncate table ${sql.join(tables.map((t) => ident(t.name)))} restart identity`.execute(tx);

    const done = new Map<string, number>();
    let batch: string[] = [];
    let batchBytes = 0;
    let batchTable: string | undefined;
    const flush = async () => {
      if (!batchTable || batch.length === 0) return;
      const cols = sql.join((columnsOf.get(batchTable) ?? []).map(ident));
      try {
        await sql`insert into ${ident(batchTable)} (${cols}) overriding system value
          select ${cols} from jsonb_populate_recordset(null::${ident(batchTable)}, ${`[${batch.join(',')}]`}::jsonb)`.execute(tx);
      } catch (err) {
        throw new BackupRestoreError(batchTable, err);
      }
      const n = (done.get(batchTable) ?? 0) + batch.length;
      done.set(batchTable, n);
      opts.onProgress?.({ phase: 'restore', table: batchTable, done: n, total: totals.get(batchTable) ?? n });
      batch = [];
      batchBytes = 0;
    };

    let lineNo = 1;
    const addRow = async (line: Buffer) => {
      lineNo++;
      const parsed = JSON.parse(line.toString('utf8')) as RowLine | FileLine;
      if (!('t' in parsed)) {
        sections.take(parsed, lineNo);
        return;
      }
      const row = parsed;
      if (row.t !== batchTable || batch.length >= INSERT_ROWS || batchBytes >= INSERT_BYTES) {
        await flush();
        if (row.t !== batchTable) opts.onProgress?.({ phase: 'restore', table: row.t, done: 0, total: totals.get(row.t) ?? 0 });
        batchTable = row.t;
      }
      const text = JSON.stringify(row.r);
      batch.push(text);
      batchBytes += text.length;
    };

    // One line of look-ahead: the first line is the header, the last one the checksum.
    const hash = createHash('sha256');
    let index = 0;
    let prev: Buffer | undefined;
    for await (const line of gzipLines(file)) {
      if (prev) {
        hash.update(prev).update('\n');
        if (index >= 2) await addRow(prev);
      }
      prev = line;
      index++;
    }
    await flush();
    if (hash.digest('hex') !== verified.sha256) {
      throw new BackupFileError(file, 'it changed while it was being restored');
    }

    for (const s of await listSequences(tx)) {
      const saved = header.sequences.find((x) => x.table === s.table && x.column === s.column)?.lastValue ?? 0;
      const r = await sql<{ m: number | null }>`select max(${ident(s.column)})::bigint as m from ${ident(s.table)}`.execute(tx);
      const value = Math.max(Number(r.rows[0]?.m ?? 0), saved);
      if (value > 0) await sql`select setval(${s.sequence}::regclass, ${value}::bigint, true)`.execute(tx);
      else await sql`select setval(${s.sequence}::regclass, (select start_value from pg_sequences where quote_ident(schemaname) || '.' || quote_ident(sequencename) = ${s.sequence}), false)`.execute(tx);
    }
    sections.end();
    await opts.beforeCommit?.(tx);
    return { header, tables: header.tables.map((t) => ({ name: t.name, rows: done.get(t.name) ?? 0 })), files: null };
  });
}

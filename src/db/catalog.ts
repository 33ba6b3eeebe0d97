import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Reads what the migrations built, from the system catalogs, in a form that does not depend
 * on the server version: used to prove the embedded database and the server end up with the
 * same schema, and to fingerprint table contents (backup tests).
 */
export type SchemaDump = {
  tables: string[];
  columns: string[];
  constraints: string[];
  indexes: string[];
  sequences: string[];
  views: string[];
  functions: string[];
  triggers: string[];
  extensions: string[];
};

// Objects that belong to an extension (pg_trgm installs its functions into public) are left out.
const notFromExtension = (classid: string, oid: ReturnType<typeof sql.ref>) =>
  sql`not exists (select 1 from pg_depend d where d.classid = ${sql.raw(`'${classid}'`)}::regclass and d.objid = ${oid} and d.deptype = 'e')`;

async function lines(db: Kysely<Database>, query: ReturnType<typeof sql<{ line: string }>>): Promise<string[]> {
  const r = await query.execute(db);
  return r.rows.map((x) => x.line);
}

/** The schema of `public`: tables, columns, constraints, indexes, sequences, views, functions, triggers. */
export async function describeSchema(db: Kysely<Database>): Promise<SchemaDump> {
  const tables = await lines(
    db,
    sql<{ line: string }>`select c.relname::text || ' (' || c.relkind::text || ')' as line
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') and ${notFromExtension('pg_class', sql.ref('c.oid'))}
      order by 1`,
  );
  const columns = await lines(
    db,
    sql<{ line: string }>`select c.relname::text || '.' || a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod)
        || case when a.attnotnull then ' not null' else ' null' end
        || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
        || case a.attidentity when 'a' then ' identity always' when 'd' then ' identity by default' else '' end
        || case a.attgenerated when 's' then ' generated stored' when 'v' then ' generated virtual' else '' end
        || coalesce(' collate ' || nullif(co.collname::text, 'default'), '') as line
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
      left join pg_collation co on co.oid = a.attcollation
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped
        and ${notFromExtension('pg_class', sql.ref('c.oid'))}
      order by c.relname, a.attname`,
  );
  // NOT NULL constraints (contype 'n', PostgreSQL 18) are already in the columns.
  const constraints = await lines(
    db,
    sql<{ line: string }>`select c.relname::text || ' ' || k.conname::text || ' ' || k.contype::text || ': ' || pg_get_constraintdef(k.oid, true)
        || case when k.condeferrable then ' deferrable' else '' end as line
      from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and k.contype <> 'n'
      order by c.relname, k.conname`,
  );
  const indexes = await lines(
    db,
    sql<{ line: string }>`select pg_get_indexdef(i.indexrelid) as line
      from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public'
      order by c.relname`,
  );
  const sequences = await lines(
    db,
    sql<{ line: string }>`select sequencename::text || ' ' || data_type::text || ' start ' || start_value::text || ' by ' || increment_by::text as line
      from pg_sequences where schemaname = 'public' order by sequencename`,
  );
  const views = await lines(
    db,
    sql<{ line: string }>`select c.relname::text || ': ' || regexp_replace(pg_get_viewdef(c.oid, true), '\\s+', ' ', 'g') as line
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('v', 'm') order by c.relname`,
  );
  const functions = await lines(
    db,
    sql<{ line: string }>`select regexp_replace(pg_get_functiondef(p.oid), '\\s+', ' ', 'g') as line
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prokind in ('f', 'p') and ${notFromExtension('pg_proc', sql.ref('p.oid'))}
      order by p.proname, pg_get_function_identity_arguments(p.oid)`,
  );
  const triggers = await lines(
    db,
    sql<{ line: string }>`select pg_get_triggerdef(t.oid, true) as line
      from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and not t.tgisinternal order by c.relname, t.tgname`,
  );
  const extensions = await lines(db, sql<{ line: string }>`select extname::text as line from pg_extension order by 1`);
  return { tables, columns, constraints, indexes, sequences, views, functions, triggers, extensions };
}

/**
 * Row count and an order-independent content checksum of every table of `public`, computed
 * in SQL over each row's JSON form with timestamps in UTC, so that two databases on different
 * back ends can be compared.
 */
export async function tableFingerprints(db: Kysely<Database>): Promise<Record<string, { rows: number; md5: string }>> {
  return db.transaction().execute(async (tx) => {
    await sql`set local timezone = 'UTC'`.execute(tx);
    const tables = await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        and ${notFromExtension('pg_class', sql.ref('c.oid'))}
      order by c.relname`.execute(tx);
    const out: Record<string, { rows: number; md5: string }> = {};
    for (const { name } of tables.rows) {
      // Transaction stamps (xid8) belong to the database that wrote them: a restore writes new ones.
      const stamps = sql`array(select a.attname::text from pg_attribute a where a.attrelid = ${name}::regclass and a.attnum > 0 and not a.attisdropped and a.atttypid = 'xid8'::regtype)`;
      const r = await sql<{ rows: number; md5: string }>`
        select count(*)::int as rows,
          md5(coalesce(string_agg((to_jsonb(t) - ${stamps})::text, ',' order by (to_jsonb(t) - ${stamps})::text), '')) as md5
        from ${sql.id(name)} t`.execute(tx);
      out[name] = r.rows[0]!;
    }
    return out;
  });
}

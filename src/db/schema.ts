import type { ColumnType, Generated } from 'kysely';
import type { RegistryTables } from './schema-registry.ts';
import type { LibraryTables } from './schema-library.ts';

/** Column types of the database, kept in step with src/db/migrations by hand. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type LocalizedText = Partial<Record<'en' | 'fr' | 'es' | 'ar' | 'zh' | 'ru', string>> & { en?: string };

export type SchemaMigrationsTable = { name: string; checksum: string; applied_at: Generated<Date> };

export type OrganizationsTable = {
  id: string;
  slug: string;
  kind: 'member' | 'observer' | 'partner';
  acronym: string;
  name: Json<LocalizedText>;
  description: ColumnType<LocalizedText, string | undefined, string>;
  org_type: string;
  website: string | null;
  iati_ref: string | null;
  logo_file: string | null;
  joined_year: number | null;
  archived_at: Date | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type OrganizationChairsTable = { organization_id: string; year: number };

export type UsersTable = {
  id: string;
  email: string;
  name: string;
  preferred_language: Generated<string>;
  password_hash: string | null;
  platform_role: 'coordinator' | 'administrator' | null;
  active: Generated<boolean>;
  last_sign_in_at: Date | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type MembershipsTable = {
  user_id: string;
  organization_id: string;
  role: 'staff' | 'focal_point';
  created_at: Timestamp;
};

export type SessionsTable = {
  id_hash: string;
  user_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Date;
  user_agent: string | null;
  ip: string | null;
};

export type SignInThrottleTable = {
  key: string;
  failures: Generated<number>;
  window_start: Timestamp;
  locked_until: Date | null;
};

export type PasswordResetsTable = {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Date;
  used_at: Date | null;
};

export type InvitationsTable = {
  id: string;
  token_hash: string;
  email: string;
  name: string | null;
  organization_id: string | null;
  role: 'staff' | 'focal_point' | null;
  platform_role: 'coordinator' | 'administrator' | null;
  invited_by: string | null;
  created_at: Timestamp;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
};

export type ApiTokensTable = {
  id: string;
  token_hash: string;
  prefix: string;
  name: string;
  user_id: string;
  organization_id: string | null;
  scopes: string[];
  created_at: Timestamp;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

export type AuditLogTable = {
  id: Generated<number>;
  at: Timestamp;
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_label: string;
  action: string;
  record_type: string;
  record_id: string;
  organization_id: string | null;
  before: ColumnType<unknown, string | null, string | null>;
  after: ColumnType<unknown, string | null, string | null>;
  request_id: string | null;
  ip: string | null;
};

export type MailOutboxTable = {
  id: Generated<number>;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  created_at: Timestamp;
  sent_at: Date | null;
  attempts: Generated<number>;
  last_error: string | null;
  headers: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
};

/** Saved searches of people and e-mail subscriptions of readers (migration 0010). */
export type SavedSearchesTable = {
  id: string;
  user_id: string | null;
  email: string | null;
  language: string | null;
  name: string;
  query: string;
  frequency: 'none' | 'daily' | 'weekly';
  confirm_token_hash: string | null;
  confirm_expires_at: Date | null;
  confirmed_at: Date | null;
  unsubscribe_token: string;
  last_visited_at: Timestamp;
  alert_watermark: Timestamp;
  alert_checked_at: Date | null;
  alert_sent_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type PlatformStateTable = {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Timestamp;
};

export type Database = RegistryTables & LibraryTables & {
  schema_migrations: SchemaMigrationsTable;
  organizations: OrganizationsTable;
  organization_chairs: OrganizationChairsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  sign_in_throttle: SignInThrottleTable;
  password_resets: PasswordResetsTable;
  invitations: InvitationsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  mail_outbox: MailOutboxTable;
  platform_state: PlatformStateTable;
  saved_searches: SavedSearchesTable;
};

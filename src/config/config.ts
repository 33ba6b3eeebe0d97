import path from 'node:path';
import { z } from 'zod';

/** A whole number in a range; the message states the expected form. */
const int = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};
const port = int(1, 65535);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false (or 1/0, yes/no)' }).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every setting the platform reads from the environment, with its expected form. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('development, production or test'),
  PORT: port.default(3000).describe('TCP port the HTTP server listens on'),
  HOST: z.string().min(1).default('127.0.0.1').describe('interface to bind, e.g. 0.0.0.0'),
  BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional().describe('public URL, e.g. https://icat.example.org'),
  DATA_DIR: z.string().min(1).default('./data').describe('folder for the embedded database and files'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .describe('PostgreSQL server connection string; when unset the embedded database is used'),
  DATABASE_POOL_SIZE: int(1, 100).default(10).describe('connections to the PostgreSQL server per process'),
  SMTP_HOST: z.string().min(1).optional().describe('SMTP server for outgoing mail; when unset mail goes to DATA_DIR/outbox as .eml files'),
  SMTP_PORT: port.default(587).describe('SMTP port'),
  SMTP_USER: z.string().optional().describe('SMTP user name, if the server wants one'),
  SMTP_PASSWORD: z.string().optional().describe('SMTP password'),
  SMTP_SECURE: bool.default(false).describe('true for TLS from the start (port 465); false uses STARTTLS when offered'),
  MAIL_FROM: z.string().min(3).default('ICAT Platform <no-reply@localhost>').describe('sender of outgoing mail, e.g. ICAT Platform <no-reply@icat.example.org>'),
  ALERTS_INTERVAL_MINUTES: int(0, 1440)
    .default(15)
    .describe('how often the server looks for due search-alert digests, in minutes; 0 leaves it to `icat alerts send` (cron)'),
  SEARCH_FREQUENT_WORD_DOCUMENTS: int(10, 100_000_000)
    .default(50_000)
    .describe('a word found in at least this many publications is a frequent word: searches made only of frequent words rank the documents that score best for each word instead of reading every match'),
  SEARCH_UPKEEP_MINUTES: int(0, 1440)
    .default(60)
    .describe('how often the server refreshes the frequent words and trims their lists, in minutes; 0 leaves it to `icat search frequent-words` (cron)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('fatal, error, warn, info, debug, trace or silent'),
  LOG_FORMAT: z.enum(['auto', 'json', 'text']).default('auto').describe('json lines, readable text, or auto: text on a terminal and json otherwise'),
  SESSION_IDLE_MINUTES: int(5, 10080).default(120).describe('a session ends after this many minutes without a request'),
  SESSION_ABSOLUTE_HOURS: int(1, 2160).default(168).describe('a session ends this many hours after sign-in, used or not'),
  MAX_BODY_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024).describe('largest accepted request body, in bytes'),
  MAX_UPLOAD_BYTES: int(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024).describe('largest accepted uploaded file (a spreadsheet to import), in bytes'),
  MAX_IATI_UPLOAD_BYTES: int(1024, 8 * 1024 * 1024 * 1024).default(512 * 1024 * 1024).describe('largest accepted IATI activity file uploaded for a background import, in bytes'),
  IATI_IMPORT_HEAP_MB: int(0, 16384)
    .default(160)
    .describe('heap limit, in MB, of the worker thread that imports an IATI file on a PostgreSQL server (an import that needs more fails and may be run again with more); 0 imports in the main thread, unbounded'),
  TRUST_PROXY: bool.default(false).describe('true behind a reverse proxy: take the client address from X-Forwarded-For'),
  STORAGE_DRIVER: z.enum(['local', 's3'], { error: 'must be local or s3' }).default('local').describe('where publication files are kept: local (DATA_DIR/files/documents) or s3 (an S3-compatible bucket)'),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional().describe('S3 endpoint URL, e.g. https://s3.fr-par.scw.cloud; when unset, AWS S3 in S3_REGION'),
  S3_REGION: z.string().regex(/^[a-z0-9-]+$/, 'must be a region name such as us-east-1').default('us-east-1').describe('S3 region (signing region), e.g. eu-west-3 or fr-par'),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name (3 to 63 lower-case letters, digits, dots, hyphens)').optional().describe('S3 bucket of the publication files (required when STORAGE_DRIVER=s3)'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional().describe('S3 access key id (required when STORAGE_DRIVER=s3)'),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('S3 secret access key (required when STORAGE_DRIVER=s3)'),
  S3_FORCE_PATH_STYLE: bool.default(false).describe('true to address the bucket in the path (MinIO, Ceph and most self-hosted services); false for bucket.host'),
  S3_PREFIX: z.string().regex(/^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*$/, 'must be folder names each ending in /, e.g. icat/').optional().describe('folder inside the bucket for the files, e.g. icat/ (ends in /)'),
  DEMO_CONTENT: bool.default(true).describe('create demo organizations and accounts on the first start of an empty database'),
});

export type Config = z.infer<typeof configSchema> & {
  baseUrl: string;
  dataDir: string;
  secureCookies: boolean;
};

/** A setting that is missing or malformed; the message names the setting and its expected form. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration once; throws ConfigError naming each bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '?');
        const field = configSchema.shape[key as keyof typeof configSchema.shape];
        const hint = field?.description ? ` (${field.description})` : '';
        return `${key}=${JSON.stringify(input[key] ?? '')}: ${issue.message}${hint}`;
      }),
    );
  }
  const c = parsed.data;
  if (c.STORAGE_DRIVER === 's3') {
    const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((k) => !c[k]);
    if (missing.length > 0) throw new ConfigError(missing.map((k) => `${k}: required when STORAGE_DRIVER=s3 (${configSchema.shape[k].description})`));
  }
  const baseUrl = (c.BASE_URL ?? `http://${c.HOST === '0.0.0.0' ? 'localhost' : c.HOST}:${c.PORT}`).replace(/\/$/, '');
  return { ...c, baseUrl, dataDir: path.resolve(c.DATA_DIR), secureCookies: baseUrl.startsWith('https://') };
}

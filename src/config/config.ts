import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every setting the platform reads from the environment, with its expected form. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000).describe('TCP port the HTTP server listens on'),
  HOST: z.string().min(1).default('127.0.0.1').describe('interface to bind, e.g. 0.0.0.0'),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional().describe('public URL, e.g. https://icat.example.org'),
  DATA_DIR: z.string().min(1).default('./data').describe('folder for the embedded database and files'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .describe('PostgreSQL server connection string; when unset the embedded database is used'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: port.default(587),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_SECURE: bool.default(false),
  MAIL_FROM: z.string().min(3).default('ICAT Platform <no-reply@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(10080).default(120),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(2160).default(168),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(1024 * 1024),
  TRUST_PROXY: bool.default(false),
  DEMO_CONTENT: bool.default(true),
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
  const baseUrl = (c.BASE_URL ?? `http://${c.HOST === '0.0.0.0' ? 'localhost' : c.HOST}:${c.PORT}`).replace(/\/$/, '');
  return { ...c, baseUrl, dataDir: path.resolve(c.DATA_DIR), secureCookies: baseUrl.startsWith('https://') };
}

import { onBackgroundScanError, whenDuplicateScansIdle } from './domain/coordination/duplicates.ts';
import { serve, type ServerType } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.ts';
import type { Db } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { readableDestination } from './lib/log-format.ts';
import { openConfiguredDatabase } from './db/open-from-config.ts';
import { createApp } from './http/app.ts';
import { loadAssets } from './http/assets.ts';
import type { AppServices } from './http/env.ts';
import { createMailer } from './mail/create-mailer.ts';
import { systemActor } from './domain/actor.ts';
import { sendDueDigests } from './domain/alerts/send-digests.ts';
import { maintainFrequentWords } from './domain/search/frequent-words.ts';
import { syncReferenceData } from './domain/reference/sync-reference-data.ts';
import { seedOnFirstStart } from './seed/first-start.ts';
import { seedDemoActivities } from './seed/seed-demo-activities.ts';
import { seedDemoPublications } from './seed/seed-demo-publications.ts';
import { sweepDocumentRemovals } from './domain/publications/document-removals.ts';
import { documentStoreFor } from './storage/document-store.ts';

export type RunningServer = { url: string; services: AppServices; close(): Promise<void> };

/** JSON lines for machines; readable lines on a terminal (LOG_FORMAT). */
export function createLogger(config: Config): Logger {
  const options = { level: config.LOG_LEVEL, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  const text = config.LOG_FORMAT === 'text' || (config.LOG_FORMAT === 'auto' && process.stdout.isTTY === true);
  return text ? pino(options, readableDestination(process.stdout)) : pino(options);
}

/** Builds the services the app needs from an open database. */
export function buildServices(config: Config, db: Db, logger: Logger): AppServices {
  return { config, db, logger, mailer: createMailer(config, db, logger), assets: loadAssets() };
}

/**
 * Starts the platform: opens and migrates the database, brings the reference data up to date,
 * creates demo content on first start, delivers queued mail in the background and serves HTTP
 * until closed.
 */
export async function startServer(config: Config, opts: { logger?: Logger; onFirstStart?: (lines: string[]) => void } = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config);
  const db = await openConfiguredDatabase(config);
  let server: ServerType | undefined;
  let mail: Periodic | undefined;
  let sweeper: Periodic | undefined;
  let alerts: Periodic | undefined;
  let upkeep: Periodic | undefined;
  try {
    // The document store must answer before anything is served (StorageUnavailableError says why not).
    const store = documentStoreFor(config);
    await store.check();
    const result = await migrate(db.kysely);
    if (result.applied.length > 0) logger.info({ applied: result.applied }, 'migrations applied');
    // Countries, regions, taxonomies and built-in codelists: every start, one query when unchanged.
    await syncReferenceData({ db, logger });
    const services = buildServices(config, db, logger);
    if (config.DEMO_CONTENT) {
      const lines = await seedOnFirstStart({ db, config, logger });
      // A separate step, so that a demo installation made before it gets its activities too.
      await seedDemoActivities({ db, config, logger });
      await seedDemoPublications({ db, config, logger });
      if (lines.length > 0) opts.onFirstStart?.(lines);
    }
    onBackgroundScanError((err) => logger.error({ err }, 'the duplicate scan after an import failed'));
    const app = createApp(services);
    await new Promise<void>((resolve, reject) => {
      server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve());
      server.once('error', reject);
    });
    const deliver = () =>
      services.mailer.deliverPending().catch((err: unknown) => logger.warn({ err }, 'mail delivery failed; will retry'));
    mail = periodic(5000, 0, deliver);
    // Stored documents whose removal failed (the storage was unreachable) are tried again.
    sweeper = periodic(60_000, 0, () =>
      sweepDocumentRemovals({ db, config })
        .then((r) => (r.failed > 0 ? logger.warn(r, 'some stored documents could not be removed yet; will retry') : undefined))
        .catch((err: unknown) => logger.warn({ err }, 'document removal sweep failed; will retry')),
    );
    if (config.ALERTS_INTERVAL_MINUTES > 0) {
      // Other processes sending digests are kept apart by row locks.
      alerts = periodic(config.ALERTS_INTERVAL_MINUTES * 60_000, 0, () =>
        sendDueDigests({ db, config, actor: systemActor })
          .then((run) => {
            if (run.checked > 0 || run.failed.length > 0) logger.info({ ...run }, 'search-alert digests');
            if (run.sent > 0) void deliver();
          })
          .catch((err: unknown) => logger.warn({ err }, 'search-alert digests failed; will retry')),
      );
    }
    if (config.SEARCH_UPKEEP_MINUTES > 0) {
      // The frequent words of the search (ADR 039): a first run soon after start, then on the timer.
      upkeep = periodic(config.SEARCH_UPKEEP_MINUTES * 60_000, 30_000, () =>
        maintainFrequentWords({ db, config, actor: systemActor })
          .then((run) => {
            if (run.added.length > 0 || run.dropped.length > 0) logger.info({ ...run, added: run.added.length, dropped: run.dropped.length }, 'search frequent words');
          })
          .catch((err: unknown) => logger.warn({ err }, 'search upkeep failed; will retry')),
      );
    }
    logger.info({ url: config.baseUrl, database: db.kind, mail: services.mailer.describe(), documents: store.describe() }, 'ICAT Platform is listening');
    return {
      url: config.baseUrl,
      services,
      async close() {
        const timers = [mail, sweeper, alerts, upkeep];
        for (const t of timers) t?.stop();
        await Promise.all(timers.map((t) => t?.running()));
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        // A duplicate scan started after an import ends before the database closes.
        await whenDuplicateScansIdle(db);
        await db.close();
      },
    };
  } catch (err) {
    for (const t of [mail, sweeper, alerts, upkeep]) t?.stop();
    server?.close();
    await db.close();
    throw err;
  }
}

/** A background task on a timer, never two runs at once in this process. */
type Periodic = { stop(): void; running(): Promise<unknown> | undefined };

/** Runs `task` every `everyMs`, the first time after `firstAfterMs` (0: now); the timers never hold the process open. */
function periodic(everyMs: number, firstAfterMs: number, task: () => Promise<unknown>): Periodic {
  let current: Promise<unknown> | undefined;
  const run = () => {
    current ??= task().finally(() => (current = undefined));
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  let first: NodeJS.Timeout | undefined;
  if (firstAfterMs === 0) run();
  else {
    first = setTimeout(run, firstAfterMs);
    first.unref();
  }
  return {
    stop() {
      clearInterval(timer);
      clearTimeout(first);
    },
    running: () => current,
  };
}

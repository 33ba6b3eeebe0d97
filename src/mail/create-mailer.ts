import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import { claimPendingMail, markMailFailed, markMailSent } from '../db/queries/mail.ts';
import type { Mailer } from './mailer.ts';

/** The folder that receives mail as .eml files when no SMTP server is configured. */
export function outboxDir(config: Config): string {
  return path.join(config.dataDir, 'outbox');
}

/**
 * Builds the mail deliverer: SMTP when SMTP_HOST is set, otherwise one .eml file per message
 * in DATA_DIR/outbox, which any mail client opens.
 */
export function createMailer(config: Config, db: Db, logger: Logger): Mailer {
  const smtp: Transporter | undefined = config.SMTP_HOST
    ? nodemailer.createTransport({
        host: config.SMTP_HOST,
        port: config.SMTP_PORT,
        secure: config.SMTP_SECURE,
        auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } : undefined,
      })
    : undefined;
  const files = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let running: Promise<number> | undefined;

  async function deliverOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const msg = await claimPendingMail(db.kysely);
      if (!msg) return sent;
      const mail = { from: config.MAIL_FROM, to: msg.to_address, subject: msg.subject, text: msg.text_body, html: msg.html_body ?? undefined, headers: msg.headers ?? undefined };
      try {
        if (smtp) {
          await smtp.sendMail(mail);
        } else {
          const info = (await files.sendMail(mail)) as unknown as { message: Buffer };
          const dir = outboxDir(config);
          await fs.mkdir(dir, { recursive: true });
          const stamp = new Date().toISOString().replace(/[:.]/g, '-');
          const tmp = path.join(dir, `.${msg.id}.tmp`);
          await fs.writeFile(tmp, info.message);
          await fs.rename(tmp, path.join(dir, `${stamp}-${msg.id}.eml`));
        }
        await markMailSent(db.kysely, msg.id);
        sent++;
      } catch (err) {
        logger.warn({ err, mailId: msg.id }, 'could not deliver mail');
        await markMailFailed(db.kysely, msg.id, (err as Error).message);
        return sent;
      }
    }
  }

  return {
    deliverPending() {
      // One delivery run at a time per process.
      running ??= deliverOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
    describe: () => (smtp ? `SMTP ${config.SMTP_HOST}:${config.SMTP_PORT}` : `outbox folder ${outboxDir(config)}`),
  };
}

import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { MailMessage } from '../../mail/mailer.ts';

/** Queues a message in the caller's transaction; it is sent only if that transaction commits. */
export async function enqueueMail(db: Executor, msg: MailMessage): Promise<void> {
  await db
    .insertInto('mail_outbox')
    .values({ to_address: msg.to, subject: msg.subject, text_body: msg.text, html_body: msg.html ?? null, headers: msg.headers ? JSON.stringify(msg.headers) : null })
    .execute();
}

export const MAX_MAIL_ATTEMPTS = 8;

/** Claims the oldest pending message (skipping ones another process holds) and counts the attempt. */
export async function claimPendingMail(db: Executor) {
  const result = await sql<{ id: number; to_address: string; subject: string; text_body: string; html_body: string | null; headers: Record<string, string> | null }>`
    update mail_outbox set attempts = attempts + 1
    where id = (
      select id from mail_outbox
      where sent_at is null and attempts < ${MAX_MAIL_ATTEMPTS}
      order by id
      for update skip locked
      limit 1
    )
    returning id, to_address, subject, text_body, html_body, headers`.execute(db);
  return result.rows[0];
}

export async function markMailSent(db: Executor, id: number): Promise<void> {
  await db.updateTable('mail_outbox').set({ sent_at: new Date(), last_error: null }).where('id', '=', id).execute();
}

export async function markMailFailed(db: Executor, id: number, error: string): Promise<void> {
  await db.updateTable('mail_outbox').set({ last_error: error.slice(0, 1000) }).where('id', '=', id).execute();
}

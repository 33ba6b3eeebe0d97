/** A message to send; queued in the database with the change that causes it. */
export type MailMessage = {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, such as List-Unsubscribe for digests (RFC 2369, RFC 8058). */
  headers?: Record<string, string>;
};

/** Delivers queued mail through SMTP when configured, otherwise into the outbox folder. */
export type Mailer = {
  /** Sends every pending message; returns how many were delivered. */
  deliverPending(): Promise<number>;
  /** Human-readable description of where mail goes (for start-up logs). */
  describe(): string;
};

import type { Command } from 'commander';
import pino from 'pino';
import { createMailer } from '../mail/create-mailer.ts';
import { sendDueDigests } from '../domain/alerts/send-digests.ts';
import { CliError, EXIT, out, withDatabase } from './runtime.ts';

/** alerts send */
export function registerAlertCommands(program: Command): void {
  const alerts = program.command('alerts').description('search alerts: e-mail digests of new matches of saved searches');

  alerts
    .command('send')
    .description('queue the due daily and weekly digests and deliver queued mail (for cron); safe beside a running server or another sender')
    .option('--no-deliver', 'only queue the digests; a running server delivers them')
    .action(async (opts: { deliver: boolean }, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx, config, db }) => {
        const run = await sendDueDigests(ctx);
        out(`Checked ${run.checked} due alert(s); queued ${run.sent} digest(s).`);
        if (opts.deliver) {
          const mailer = createMailer(config, db, pino({ level: 'warn' }, pino.destination(2)));
          out(`Delivered ${await mailer.deliverPending()} message(s) to ${mailer.describe()}.`);
        }
        if (run.failed.length > 0) throw new CliError(`Could not process ${run.failed.length} alert(s): ${run.failed.join(', ')}`, EXIT.failure);
      });
    });
}

import type { Command } from 'commander';
import { TOKEN_SCOPES } from '../domain/actor.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../domain/identity/tokens.ts';
import { getOrganization } from '../domain/organizations/organizations.ts';
import { CliError, EXIT, out, printTable, withDatabase } from './runtime.ts';
import { findUserIdByEmail } from '../domain/identity/find-user.ts';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

/** token create | list | revoke */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage API tokens for systems');

  token
    .command('create')
    .description('create an API token; prints the secret once')
    .requiredOption('--name <name>', 'what uses the token, e.g. "IATI sync"')
    .option('--user <email>', 'the person the token belongs to and acts as (default: the --as person)')
    .option('--scope <scope>', `scopes: ${TOKEN_SCOPES.join(', ')}; repeatable or comma-separated (default: read)`, collect)
    .option('--org <org>', 'limit the token to one of the owner’s organizations (short name or id)')
    .option('--expires <date>', 'when the token stops working, ISO 8601 (e.g. 2026-12-31T00:00:00Z)')
    .action(async (opts: { name: string; user?: string; scope?: string[]; org?: string; expires?: string }, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        let userId: string | undefined;
        if (opts.user) {
          userId = await findUserIdByEmail(ctx, opts.user);
          if (!userId) throw new CliError(`--user ${opts.user}: no account has this e-mail address.`, EXIT.notFound);
        } else if (ctx.actor.kind !== 'anonymous' && ctx.actor.userId === 'system') {
          throw new CliError('Say whose token this is: --user <email> (or act as that person with --as <email>).', EXIT.invalid);
        }
        const organizationId = opts.org ? (await getOrganization(ctx, opts.org)).id : undefined;
        const { token: created, secret } = await createApiToken(ctx, {
          name: opts.name,
          scopes: (opts.scope?.length ? opts.scope : ['read']) as (typeof TOKEN_SCOPES)[number][],
          ...(userId && { userId }),
          ...(organizationId && { organizationId }),
          ...(opts.expires && { expiresAt: opts.expires }),
        });
        out(`Created token ${created.id} "${created.name}" for ${created.userEmail} with scopes ${created.scopes.join(', ')}.`);
        out(`Secret (shown only now; send it as "Authorization: Bearer <secret>"):`);
        out(secret);
      });
    });

  token
    .command('list')
    .description('list API tokens')
    .option('--user <email>', 'only this person’s tokens')
    .option('--revoked', 'include revoked tokens')
    .action(async (opts: { user?: string; revoked?: boolean }, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        const userId = opts.user ? await findUserIdByEmail(ctx, opts.user) : undefined;
        if (opts.user && !userId) throw new CliError(`--user ${opts.user}: no account has this e-mail address.`, EXIT.notFound);
        const tokens = await listApiTokens(ctx, { ...(userId && { userId }), includeRevoked: opts.revoked === true });
        if (tokens.length === 0) return out('No tokens.');
        printTable(
          ['ID', 'NAME', 'OWNER', 'SCOPES', 'STATUS', 'LAST USED'],
          tokens.map((t) => [t.id, t.name, t.userEmail, t.scopes.join(','), t.status, t.lastUsedAt ?? 'never']),
        );
      });
    });

  token
    .command('revoke')
    .description('revoke an API token at once')
    .argument('<id>', 'the token id (tok_…), as printed by token create or token list')
    .action(async (id: string, _opts, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        const revoked = await revokeApiToken(ctx, id);
        out(`Revoked token ${revoked.id} "${revoked.name}" of ${revoked.userEmail}.`);
      });
    });
}

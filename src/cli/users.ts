import { Option, type Command } from 'commander';
import type { DomainContext } from '../domain/context.ts';
import { generatePassword } from '../domain/identity/passwords.ts';
import { MEMBERSHIP_ROLES, PLATFORM_ROLES, type MembershipInput } from '../domain/identity/identity-schemas.ts';
import { setUserPassword } from '../domain/identity/set-user-password.ts';
import { createUser, listUsers } from '../domain/identity/users.ts';
import { listOrganizations } from '../domain/organizations/organizations.ts';
import { LANGUAGES } from '../domain/languages.ts';
import { CliError, EXIT, out, printTable, readStdin, withDatabase } from './runtime.ts';
import { findUserIdByEmail } from '../domain/identity/find-user.ts';

/** Organization ids by acronym and slug (and id), to accept `--member iom:focal_point` and print acronyms. */
async function organizationIndex(ctx: DomainContext): Promise<{ byKey: Map<string, string>; acronymOf: Map<string, string> }> {
  const byKey = new Map<string, string>();
  const acronymOf = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await listOrganizations(ctx, { limit: 200, cursor, includeArchived: true });
    for (const o of page.items) {
      for (const k of [o.id, o.slug, o.acronym.toLowerCase()]) byKey.set(k, o.id);
      acronymOf.set(o.id, o.acronym);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { byKey, acronymOf };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** user create | list | set-password */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage accounts');

  user
    .command('create')
    .description('create an account; prints a generated password unless one is given with --password-stdin')
    .requiredOption('--email <email>', 'e-mail address (the sign-in name)')
    .requiredOption('--name <name>', 'full name')
    .addOption(new Option('--role <role>', 'platform role').choices([...PLATFORM_ROLES]))
    .option('--member <org:role>', `membership, e.g. iom:focal_point (role: ${MEMBERSHIP_ROLES.join(' or ')}); repeatable`, collect)
    .addOption(new Option('--language <code>', 'preferred language').choices([...LANGUAGES]))
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (opts: { email: string; name: string; role?: string; member?: string[]; language?: string; passwordStdin?: boolean }, cmd: Command) => {
      const given = opts.passwordStdin ? await readStdin() : undefined;
      await withDatabase(cmd, async ({ ctx }) => {
        const memberships: MembershipInput[] = [];
        if (opts.member?.length) {
          const { byKey } = await organizationIndex(ctx);
          for (const m of opts.member) {
            const [org = '', role = 'staff'] = m.split(':');
            const organizationId = byKey.get(org.trim().toLowerCase()) ?? byKey.get(org.trim());
            if (!organizationId) throw new CliError(`--member ${m}: no organization has the short name or id "${org}".`, EXIT.notFound);
            if (!(MEMBERSHIP_ROLES as readonly string[]).includes(role)) {
              throw new CliError(`--member ${m}: the role must be ${MEMBERSHIP_ROLES.join(' or ')}.`, EXIT.invalid);
            }
            memberships.push({ organizationId, role: role as MembershipInput['role'] });
          }
        }
        const password = given ?? generatePassword();
        const created = await createUser(ctx, {
          email: opts.email,
          name: opts.name,
          password,
          platformRole: (opts.role as (typeof PLATFORM_ROLES)[number] | undefined) ?? null,
          memberships,
          ...(opts.language && { preferredLanguage: opts.language as (typeof LANGUAGES)[number] }),
        });
        out(`Created ${created.id} ${created.email}${created.platformRole ? ` (${created.platformRole})` : ''}`);
        if (!given) out(`Password: ${password}\n(shown only now; the person can change it under Account)`);
      });
    });

  user
    .command('list')
    .description('list accounts')
    .option('--org <org>', 'only people of this organization (short name, acronym or id)')
    .option('--search <text>', 'only e-mail addresses or names containing this text')
    .option('--inactive', 'include deactivated accounts')
    .option('--json', 'print JSON lines instead of a table')
    .action(async (opts: { org?: string; search?: string; inactive?: boolean; json?: boolean }, cmd: Command) => {
      await withDatabase(cmd, async ({ ctx }) => {
        const { byKey, acronymOf } = await organizationIndex(ctx);
        const organizationId = opts.org ? (byKey.get(opts.org.toLowerCase()) ?? byKey.get(opts.org)) : undefined;
        if (opts.org && !organizationId) throw new CliError(`--org ${opts.org}: no such organization.`, EXIT.notFound);
        const rows: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await listUsers(ctx, { q: opts.search, organizationId, includeInactive: opts.inactive === true, limit: 200, cursor });
          for (const u of page.items) {
            if (opts.json) {
              out(JSON.stringify(u));
              continue;
            }
            const ms = u.memberships.map((m) => `${acronymOf.get(m.organizationId) ?? m.organizationId}:${m.role}`).join(', ');
            rows.push([u.email, u.name, u.platformRole ?? '', ms, u.active ? '' : 'inactive', u.id]);
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        if (!opts.json) {
          if (rows.length === 0) out('No accounts.');
          else printTable(['E-MAIL', 'NAME', 'ROLE', 'MEMBERSHIPS', 'STATUS', 'ID'], rows);
        }
      });
    });

  user
    .command('set-password')
    .description('set a new password for an account (prints a generated one unless --password-stdin); ends its sessions')
    .argument('<email>', 'the account’s e-mail address')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (email: string, opts: { passwordStdin?: boolean }, cmd: Command) => {
      const given = opts.passwordStdin ? await readStdin() : undefined;
      await withDatabase(cmd, async ({ ctx }) => {
        const id = await findUserIdByEmail(ctx, email);
        if (!id) throw new CliError(`No account has the e-mail address ${email}.`, EXIT.notFound);
        const password = given ?? generatePassword();
        await setUserPassword(ctx, id, { password });
        out(`Password set for ${email}; their sessions have ended.`);
        if (!given) out(`Password: ${password}\n(shown only now)`);
      });
    });
}

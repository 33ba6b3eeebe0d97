import type { Actor, AuthenticatedActor, TokenScope } from './actor.ts';
import { AppError, forbidden, unauthenticated } from './errors.ts';

/** Who may see a record: everyone, any member organization's people, named organizations, or its owners only. */
export const VISIBILITIES = ['public', 'members', 'restricted', 'draft'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** The part of any owned record that policies look at. */
export type OwnedRecord = { ownerOrganizationId: string; visibility: Visibility; sharedWith?: readonly string[] };

const isAdmin = (a: Actor) => a.kind !== 'anonymous' && a.platformRole === 'administrator';
const isCoordinator = (a: Actor) => a.kind !== 'anonymous' && (a.platformRole === 'coordinator' || a.platformRole === 'administrator');
const belongsTo = (a: Actor, orgId: string) => a.kind !== 'anonymous' && a.memberships.some((m) => m.organizationId === orgId);
const isFocalPointOf = (a: Actor, orgId: string) =>
  a.kind !== 'anonymous' && a.memberships.some((m) => m.organizationId === orgId && m.role === 'focal_point');
const isMemberPerson = (a: Actor) => a.kind !== 'anonymous' && (a.memberships.length > 0 || a.platformRole !== null);

/** May the actor read an owned record? */
export function canReadRecord(actor: Actor, r: OwnedRecord): boolean {
  if (r.visibility === 'public') return true;
  if (isCoordinator(actor) || belongsTo(actor, r.ownerOrganizationId)) return true;
  if (r.visibility === 'members') return isMemberPerson(actor);
  if (r.visibility === 'restricted') return (r.sharedWith ?? []).some((o) => belongsTo(actor, o));
  return false;
}

/** May the actor change an owned record? Staff of the owner organization, or an administrator. */
export function canEditRecord(actor: Actor, r: Pick<OwnedRecord, 'ownerOrganizationId'>): boolean {
  // A token writes only with the "write" scope, whatever its creator may do.
  if (actor.kind === 'token' && !actor.scopes.includes('write')) return false;
  return isAdmin(actor) || belongsTo(actor, r.ownerOrganizationId);
}

/**
 * The organizations whose activities `activity.update` lets the actor change: null for every
 * organization (administrators), an empty list for visitors and read-only tokens.
 */
export function activityEditScope(actor: Actor): string[] | null {
  if (actor.kind === 'anonymous') return [];
  if (actor.kind === 'token' && !actor.scopes.includes('write')) return [];
  if (isAdmin(actor)) return null;
  return [...new Set(actor.memberships.map((m) => m.organizationId))];
}

type Rule<R> = { scope: TokenScope | null; allow: (actor: AuthenticatedActor, resource: R) => boolean; anonymous?: boolean };

/**
 * Every ability in the platform, declared once. `scope` is what a token must carry;
 * `anonymous: true` lets visitors through. Pages and API return these as abilities.
 */
export const policies = {
  'organization.create': { scope: 'admin', allow: (a) => isAdmin(a) } as Rule<void>,
  'organization.update': {
    scope: 'write',
    allow: (a, org: { id: string }) => isAdmin(a) || isFocalPointOf(a, org.id),
  } as Rule<{ id: string }>,
  'organization.archive': { scope: 'admin', allow: (a) => isAdmin(a) } as Rule<void>,
  'organization.members.read': {
    scope: 'read',
    allow: (a, org: { id: string }) => isCoordinator(a) || belongsTo(a, org.id),
  } as Rule<{ id: string }>,
  'user.list': { scope: 'read', allow: (a) => isCoordinator(a) } as Rule<void>,
  'user.read': { scope: 'read', allow: (a, u: { id: string }) => isCoordinator(a) || a.userId === u.id } as Rule<{ id: string }>,
  'user.create': { scope: 'admin', allow: (a) => isAdmin(a) } as Rule<void>,
  'user.update': { scope: 'admin', allow: (a, u: { id: string }) => isAdmin(a) || a.userId === u.id } as Rule<{ id: string }>,
  'user.manage': { scope: 'admin', allow: (a) => isAdmin(a) } as Rule<void>,
  /** Invite a person: administrators to anything; focal points to their own organization as staff or focal point. */
  'invitation.create': {
    scope: 'admin',
    allow: (a, inv: { organizationId: string | null; platformRole: string | null }) =>
      isAdmin(a) || (inv.platformRole === null && inv.organizationId !== null && isFocalPointOf(a, inv.organizationId)),
  } as Rule<{ organizationId: string | null; platformRole: string | null }>,
  /** List and revoke invitations: administrators all; a focal point those of their own organizations. */
  'invitation.list': {
    scope: 'admin',
    allow: (a) => isAdmin(a) || a.memberships.some((m) => m.role === 'focal_point'),
  } as Rule<void>,
  'invitation.revoke': {
    scope: 'admin',
    allow: (a, inv: { organizationId: string | null; platformRole: string | null }) =>
      isAdmin(a) || (inv.platformRole === null && inv.organizationId !== null && isFocalPointOf(a, inv.organizationId)),
  } as Rule<{ organizationId: string | null; platformRole: string | null }>,
  'token.manage': { scope: null, allow: (a) => a.kind === 'user' } as Rule<void>,
  /** Manage one's own account (password, sessions): people only, never through a token. */
  'account.manage': { scope: null, allow: (a) => a.kind === 'user' && a.userId !== 'system' } as Rule<void>,
  'audit.read': { scope: 'read', allow: (a) => isCoordinator(a) } as Rule<void>,
  /** Create, replace, delete or restore an activity: staff of its owner organization, or an administrator. */
  'activity.create': { scope: 'write', allow: (a, r: { ownerOrganizationId: string }) => isAdmin(a) || belongsTo(a, r.ownerOrganizationId) } as Rule<{ ownerOrganizationId: string }>,
  'activity.update': { scope: 'write', allow: (a, r: { ownerOrganizationId: string }) => isAdmin(a) || belongsTo(a, r.ownerOrganizationId) } as Rule<{ ownerOrganizationId: string }>,
  'activity.delete': { scope: 'write', allow: (a, r: { ownerOrganizationId: string }) => isAdmin(a) || belongsTo(a, r.ownerOrganizationId) } as Rule<{ ownerOrganizationId: string }>,
  /**
   * Review the classification importers suggested, many activities at once: people who may edit
   * some organization's activities. Each activity is then checked against its owner (activity.update).
   */
  'activity.suggestions.review': { scope: 'write', allow: (a) => isAdmin(a) || a.memberships.length > 0 } as Rule<void>,
  /** Upload a spreadsheet of activities: people who may create activities for some organization. Each row is then checked against its owner. */
  'activity.import': { scope: 'write', allow: (a) => isAdmin(a) || a.memberships.length > 0 } as Rule<void>,
  /** Follow a background IATI import, read its report: whoever started it, and coordinators. */
  'iati.import.read': {
    scope: 'read',
    allow: (a, job: { createdBy: string }) => isCoordinator(a) || a.userId === job.createdBy,
  } as Rule<{ createdBy: string }>,
  /** Run an interrupted or failed IATI import again: whoever started it, and administrators. */
  'iati.import.retry': {
    scope: 'write',
    allow: (a, job: { createdBy: string }) => isAdmin(a) || a.userId === job.createdBy,
  } as Rule<{ createdBy: string }>,
  /** An activity's version history: those who may edit it, and coordinators. */
  'activity.history': {
    scope: 'read',
    allow: (a, r: { ownerOrganizationId: string }) => isCoordinator(a) || belongsTo(a, r.ownerOrganizationId),
  } as Rule<{ ownerOrganizationId: string }>,
  /**
   * Publications of the knowledge library: focal points of the owner organization write their
   * organization's publications, the coordinator (and administrators) all of them.
   */
  'publication.create': { scope: 'write', allow: (a, r: { ownerOrganizationId: string }) => isCoordinator(a) || isFocalPointOf(a, r.ownerOrganizationId) } as Rule<{
    ownerOrganizationId: string;
  }>,
  'publication.update': { scope: 'write', allow: (a, r: { ownerOrganizationId: string }) => isCoordinator(a) || isFocalPointOf(a, r.ownerOrganizationId) } as Rule<{
    ownerOrganizationId: string;
  }>,
  'publication.delete': { scope: 'write', allow: (a, r: { ownerOrganizationId: string }) => isCoordinator(a) || isFocalPointOf(a, r.ownerOrganizationId) } as Rule<{
    ownerOrganizationId: string;
  }>,
  /** A publication's version history: its editors and the owner organization's people. */
  'publication.history': {
    scope: 'read',
    allow: (a, r: { ownerOrganizationId: string }) => isCoordinator(a) || belongsTo(a, r.ownerOrganizationId),
  } as Rule<{ ownerOrganizationId: string }>,
  /** Coverage matrix, map, gaps, reporting completeness, operational presence: everyone, over the activities they may read. */
  'coordination.read': { scope: 'read', anonymous: true, allow: () => true } as Rule<void>,
  /** Duplicate candidates and links between records of the same work: the coordinator (secretariat). */
  'coordination.duplicates.read': { scope: 'read', allow: (a) => isCoordinator(a) } as Rule<void>,
  /** Run a duplicate scan and decide on pairs (duplicate, or not a duplicate): the coordinator. */
  'coordination.duplicates.decide': { scope: 'write', allow: (a) => isCoordinator(a) } as Rule<void>,
  /** One's own saved searches (list, new-match counts): any account, a token with "read". */
  'search.saved.read': { scope: 'read', allow: (a) => a.userId !== 'system' } as Rule<void>,
  /** Save, rename, change the alert of, delete one's own searches: any account, a token with "write". */
  'search.saved.manage': { scope: 'write', allow: (a) => a.userId !== 'system' } as Rule<void>,
  /** Ask for e-mail alerts of a search (double opt-in): everyone. */
  'search.subscribe': { scope: 'write', anonymous: true, allow: () => true } as Rule<void>,
  /** Send the due search-alert digests (the server's timer, `icat alerts send`): administrators, never through a token. */
  'alerts.send': { scope: null, allow: (a) => isAdmin(a) } as Rule<void>,
  /** Keep the search's frequent words and their lists of best documents (the server's timer, `icat search frequent-words`): administrators. */
  'search.maintain': { scope: null, allow: (a) => isAdmin(a) } as Rule<void>,
  /** Load IATI codelists and edit taxonomy terms: administrators. */
  'reference.manage': { scope: 'admin', allow: (a) => isAdmin(a) } as Rule<void>,
  /** Back up or restore the whole database (CLI): administrators only, never through a token. */
  'database.backup': { scope: null, allow: (a) => isAdmin(a) } as Rule<void>,
  'database.restore': { scope: null, allow: (a) => isAdmin(a) } as Rule<void>,
} satisfies Record<string, Rule<never>>;

export type Ability = keyof typeof policies;
type ResourceOf<A extends Ability> = (typeof policies)[A] extends Rule<infer R> ? R : never;

/** Does the policy allow it? Tokens need the rule's scope in addition to their creator's rights. */
export function can<A extends Ability>(actor: Actor, ability: A, ...resource: ResourceOf<A> extends void ? [] : [ResourceOf<A>]): boolean {
  const rule = policies[ability] as Rule<unknown>;
  if (actor.kind === 'anonymous') return rule.anonymous === true;
  if (actor.kind === 'token') {
    if (rule.scope === null) return false;
    if (!actor.scopes.includes(rule.scope)) return false;
  }
  return rule.allow(actor, resource[0]);
}

/** Throws UNAUTHENTICATED for visitors and FORBIDDEN for everyone else the policy refuses. */
export function authorize<A extends Ability>(actor: Actor, ability: A, ...resource: ResourceOf<A> extends void ? [] : [ResourceOf<A>]): void {
  if (can(actor, ability, ...resource)) return;
  if (actor.kind === 'anonymous') throw unauthenticated();
  if (actor.kind === 'token') {
    const rule = policies[ability] as Rule<unknown>;
    if (rule.scope === null) throw forbidden('API tokens cannot do this; sign in as a person.');
    if (!actor.scopes.includes(rule.scope)) throw new AppError('FORBIDDEN', `This API token lacks the "${rule.scope}" scope.`);
  }
  throw forbidden();
}

/** The abilities an actor holds without a specific resource, for clients to show or hide actions. */
export function globalAbilities(actor: Actor): Record<string, boolean> {
  return {
    'organization.create': can(actor, 'organization.create'),
    'organization.archive': can(actor, 'organization.archive'),
    'user.list': can(actor, 'user.list'),
    'user.create': can(actor, 'user.create'),
    'user.manage': can(actor, 'user.manage'),
    'token.manage': can(actor, 'token.manage'),
    'invitation.list': can(actor, 'invitation.list'),
    'account.manage': can(actor, 'account.manage'),
    'audit.read': can(actor, 'audit.read'),
    'coordination.duplicates.read': can(actor, 'coordination.duplicates.read'),
    'coordination.duplicates.decide': can(actor, 'coordination.duplicates.decide'),
  };
}

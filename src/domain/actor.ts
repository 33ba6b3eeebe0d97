/** Who is acting: an anonymous visitor, a signed-in person, or a system holding an API token. */
export type PlatformRole = 'coordinator' | 'administrator';
export type MembershipRole = 'staff' | 'focal_point';
export type Membership = { organizationId: string; role: MembershipRole };

/** What an API token may be used for; a token never exceeds its creator's own rights. */
export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export type AnonymousActor = { kind: 'anonymous' };
export type UserActor = {
  kind: 'user';
  userId: string;
  name: string;
  email: string;
  language: string;
  platformRole: PlatformRole | null;
  memberships: Membership[];
  sessionId?: string;
};
export type TokenActor = Omit<UserActor, 'kind' | 'sessionId'> & {
  kind: 'token';
  tokenId: string;
  scopes: TokenScope[];
  /** The organization the token acts for, if it was limited to one; memberships then hold only that one. */
  organizationId?: string | null;
};
export type Actor = AnonymousActor | UserActor | TokenActor;
export type AuthenticatedActor = UserActor | TokenActor;

export const anonymous: AnonymousActor = { kind: 'anonymous' };

/** A system actor for the CLI and seeds: an administrator that is nobody in particular. */
export const systemActor: UserActor = {
  kind: 'user',
  userId: 'system',
  name: 'system',
  email: 'system@localhost',
  language: 'en',
  platformRole: 'administrator',
  memberships: [],
};

export function isAuthenticated(actor: Actor): actor is AuthenticatedActor {
  return actor.kind !== 'anonymous';
}

export function actorLabel(actor: Actor): string {
  if (actor.kind === 'anonymous') return 'anonymous';
  if (actor.kind === 'token') return `${actor.email} (token ${actor.tokenId})`;
  return actor.email;
}

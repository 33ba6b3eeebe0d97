import { z } from 'zod';
import { TOKEN_SCOPES } from '../actor.ts';
import { languageSchema } from '../languages.ts';

export const PLATFORM_ROLES = ['coordinator', 'administrator'] as const;
export const MEMBERSHIP_ROLES = ['staff', 'focal_point'] as const;

const id = z.string().trim().min(1).max(100);
export const emailSchema = z
  .email('Enter an e-mail address such as name@example.org.')
  .trim()
  .toLowerCase()
  .max(254);
const personName = z.string().trim().min(1, 'Enter a name.').max(200);
/** Length and content rules are checked by checkPasswordPolicy, which knows the e-mail. */
const password = z.string().max(1000);

export const membershipSchema = z.strictObject({ organizationId: id, role: z.enum(MEMBERSHIP_ROLES) });
export type MembershipInput = z.infer<typeof membershipSchema>;

export const membershipsSchema = z.array(membershipSchema).max(100);

/** Input of createUser. */
export const userInputSchema = z.strictObject({
  email: emailSchema,
  name: personName,
  preferredLanguage: languageSchema.optional(),
  password: password.optional().describe('Optional: without one the person cannot sign in until they reset it.'),
  platformRole: z.enum(PLATFORM_ROLES).nullable().optional(),
  memberships: membershipsSchema.optional(),
});
export type UserInput = z.infer<typeof userInputSchema>;

/** Input of updateUser: people change their name and language; administrators also the role and active flag. */
export const userPatchSchema = z.strictObject({
  name: personName.optional(),
  preferredLanguage: languageSchema.optional(),
  platformRole: z.enum(PLATFORM_ROLES).nullable().optional(),
  active: z.boolean().optional(),
  version: z.number().int().min(1).describe('The version the change is based on; a stale version is refused with 409.'),
});
export type UserPatch = z.infer<typeof userPatchSchema>;

export const setMembershipsSchema = z.strictObject({ memberships: membershipsSchema });

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  preferredLanguage: z.string(),
  platformRole: z.enum(PLATFORM_ROLES).nullable(),
  active: z.boolean(),
  hasPassword: z.boolean(),
  memberships: z.array(z.object({ organizationId: z.string(), role: z.enum(MEMBERSHIP_ROLES) })),
  lastSignInAt: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const userListQuerySchema = z.strictObject({
  q: z.string().trim().max(200).optional(),
  organizationId: id.optional(),
  includeInactive: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .or(z.boolean())
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type UserListQuery = z.input<typeof userListQuerySchema>;

export const changePasswordSchema = z.strictObject({ currentPassword: password, newPassword: password });
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

export const signInSchema = z.strictObject({
  email: z.string().trim().toLowerCase().min(1, 'Enter your e-mail address.').max(254),
  password: z.string().min(1, 'Enter your password.').max(1000),
});
export type SignInInput = z.infer<typeof signInSchema>;

export const passwordResetRequestSchema = z.strictObject({ email: emailSchema });
export const passwordResetSchema = z.strictObject({ password });

export const invitationInputSchema = z
  .strictObject({
    email: emailSchema,
    name: personName.optional(),
    organizationId: id.nullable().optional(),
    role: z.enum(MEMBERSHIP_ROLES).nullable().optional(),
    platformRole: z.enum(PLATFORM_ROLES).nullable().optional(),
    language: languageSchema.optional().describe('Language of the invitation e-mail and the new account; English by default.'),
  })
  .superRefine((v, ctx) => {
    if (!v.organizationId && !v.platformRole) {
      ctx.addIssue({ code: 'custom', path: ['organizationId'], message: 'Choose an organization or a platform role.' });
    }
    if (v.organizationId && !v.role) ctx.addIssue({ code: 'custom', path: ['role'], message: 'Choose the role in the organization.' });
    if (!v.organizationId && v.role) ctx.addIssue({ code: 'custom', path: ['role'], message: 'A role needs an organization.' });
  });
export type InvitationInput = z.input<typeof invitationInputSchema>;

export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  organizationId: z.string().nullable(),
  role: z.enum(MEMBERSHIP_ROLES).nullable(),
  platformRole: z.enum(PLATFORM_ROLES).nullable(),
  invitedBy: z.string().nullable(),
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type Invitation = z.infer<typeof invitationSchema>;

export const invitationListQuerySchema = z.strictObject({
  organizationId: id.optional(),
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']).optional(),
});
export type InvitationListQuery = z.infer<typeof invitationListQuerySchema>;

export const acceptInvitationSchema = z.strictObject({ name: personName, password });
export type AcceptInvitationInput = z.infer<typeof acceptInvitationSchema>;

export const apiTokenInputSchema = z.strictObject({
  name: z.string().trim().min(1, 'Give the token a name that says what uses it.').max(200),
  scopes: z
    .array(z.enum(TOKEN_SCOPES))
    .min(1, 'Choose at least one scope.')
    .max(TOKEN_SCOPES.length)
    .transform((s) => [...new Set(s)]),
  organizationId: id.nullable().optional().describe('The organization the token acts for; one of your memberships.'),
  expiresAt: z.iso
    .datetime({ offset: true })
    .nullable()
    .optional()
    .describe('When the token stops working (ISO 8601); none means it works until revoked.'),
  userId: id.optional().describe('Administrators only: create the token for this person (the CLI uses this).'),
});
export type ApiTokenInput = z.input<typeof apiTokenInputSchema>;

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The public part of the token, to recognise it: icat_<prefix>_…'),
  userId: z.string(),
  userEmail: z.string(),
  organizationId: z.string().nullable(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const apiTokenListQuerySchema = z.strictObject({
  userId: id.optional().describe('Administrators: only this person’s tokens.'),
  includeRevoked: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .or(z.boolean())
    .optional(),
});
export type ApiTokenListQuery = z.input<typeof apiTokenListQuerySchema>;

export const sessionSchema = z.object({
  id: z.string().describe('A short public reference to the session, not the secret.'),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionSchema>;

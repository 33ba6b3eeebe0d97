import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';
import {
  archiveOrganizationAction,
  createOrganizationAction,
  editOrganizationPage,
  newOrganizationPage,
  organizationListPage,
  removeLogoAction,
  updateOrganizationAction,
  uploadLogoAction,
} from './organizations.tsx';
import { adminOverviewPage } from './overview.tsx';
import { auditPage } from './audit.tsx';
import { createInvitationAction, invitationsPage, revokeInvitationAction } from './invitations.tsx';
import { revokeTokenAction, tokensPage } from './tokens.tsx';
import { changeRoleAction, deactivateAction, reactivateAction, setMembershipsAction, userListPage, userPage } from './users.tsx';

/** The administration area under /admin. Every action goes through one domain function, which authorizes it. */
export function adminRoutes() {
  const admin = new Hono<AppEnv>();
  admin.get('/', adminOverviewPage);
  admin.get('/organizations', organizationListPage);
  admin.get('/organizations/new', newOrganizationPage);
  admin.post('/organizations', createOrganizationAction);
  admin.get('/organizations/:slug/edit', editOrganizationPage);
  admin.post('/organizations/:slug', updateOrganizationAction);
  admin.post('/organizations/:slug/archive', archiveOrganizationAction(true));
  admin.post('/organizations/:slug/restore', archiveOrganizationAction(false));
  admin.post('/organizations/:slug/logo', uploadLogoAction);
  admin.post('/organizations/:slug/logo/remove', removeLogoAction);
  admin.get('/users', userListPage);
  admin.get('/users/:id', userPage);
  admin.post('/users/:id/role', changeRoleAction);
  admin.post('/users/:id/memberships', setMembershipsAction);
  admin.post('/users/:id/deactivate', deactivateAction);
  admin.post('/users/:id/reactivate', reactivateAction);
  admin.get('/invitations', invitationsPage);
  admin.post('/invitations', createInvitationAction);
  admin.post('/invitations/:id/revoke', revokeInvitationAction);
  admin.get('/tokens', tokensPage);
  admin.post('/tokens/:id/revoke', revokeTokenAction);
  admin.get('/audit', auditPage);
  return admin;
}

import { describe, expect, it } from 'vitest';
import { journeySuite } from './support/suite.ts';

const suite = journeySuite();
const { start, signIn } = suite;

describe('first start', () => {
  it('prints an administrator and a coordinator account with random passwords', () => {
    expect(suite.server.firstStartLines.join('\n')).toContain('/sign-in');
    const admin = suite.server.account('administrator');
    const coordinator = suite.server.account('coordinator');
    expect(admin.password).toMatch(/^\S{16,}$/);
    expect(coordinator.password).not.toBe(admin.password);
  });
});

describe('a newcomer', () => {
  it('signs in with the printed administrator credentials and reaches the administration', async () => {
    const j = await start();
    await j.visit(`${suite.server.url}/`);
    await j.clickAndCheck(() => j.page.getByRole('link', { name: 'Sign in' }).click());
    expect(new URL(j.page.url()).pathname).toBe('/sign-in');
    const account = suite.server.account('administrator');
    await j.page.locator('input[name="email"]').fill(account.email);
    await j.page.locator('input[name="password"]').fill(account.password);
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Sign in' }).click());
    const nav = j.page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(1);
    await j.clickAndCheck(() => nav.getByRole('link', { name: 'Administration' }).click());
    expect(await j.page.locator('h1').textContent()).toBe('Administration');
    for (const section of ['Organizations', 'People', 'Invitations', 'API tokens', 'Audit log']) {
      await expect(j.page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: section }).count()).resolves.toBe(1);
    }
  });

  it('is refused a wrong password with a message next to the form', async () => {
    const j = await start();
    await j.visit(`${suite.server.url}/sign-in`);
    await j.page.locator('input[name="email"]').fill(suite.server.account('coordinator').email);
    await j.page.locator('input[name="password"]').fill('not the password at all');
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Sign in' }).click());
    expect(await j.page.getByRole('alert').first().textContent()).toContain('The e-mail address or the password is not right.');
  });

  it('switches to French and sees French, then keeps French on the next page', async () => {
    const j = await start();
    await j.visit(`${suite.server.url}/members`);
    await j.clickAndCheck(() => j.page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Français' }).click());
    expect(new URL(j.page.url()).pathname).toBe('/members');
    expect(await j.page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await j.page.locator('h1').textContent()).toBe('Membres');
    await j.clickAndCheck(() => j.page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Accueil' }).click());
    expect(await j.page.locator('h1').textContent()).toBe('Coordonner la réponse internationale à la traite des personnes');
    expect(await j.page.getByText('Quatre fonctions, une plateforme').count()).toBe(1);
  });

  it('reads the site right to left in Arabic', async () => {
    const j = await start();
    await j.visit(`${suite.server.url}/?lang=ar`);
    expect(await j.page.locator('html').getAttribute('dir')).toBe('rtl');
    const brand = await j.page.locator('.brand').boundingBox();
    expect(brand!.x).toBeGreaterThan(640);
    await j.visit(`${suite.server.url}/members?lang=ar`);
  });
});

describe('an administrator', () => {
  it('creates an organization and finds it in the members directory', async () => {
    const j = await start();
    await signIn(j, 'administrator');
    await j.visit(`${suite.server.url}/admin/organizations`);
    await j.clickAndCheck(() => j.page.getByRole('link', { name: 'Add an organization' }).click());
    const p = j.page;
    await p.getByLabel('Acronym').fill('E2E-ORG');
    await p.getByLabel('Kind').selectOption('partner');
    await p.getByLabel('Type of organization').selectOption('ngo');
    await p.getByLabel('Name in English').fill('End-to-End Testing Partnership');
    await p.getByLabel('Name in French').fill('Partenariat de tests de bout en bout');
    await p.getByLabel('Description in English').fill('Created by the browser journey.');
    await p.getByLabel('Website').fill('https://e2e.example.org');
    await p.getByLabel('Years as chair or co-chair').fill('2024');
    await j.clickAndCheck(() => p.getByRole('button', { name: 'Create the organization' }).click());
    expect(new URL(p.url()).pathname).toBe('/admin/organizations/e2e-org/edit');
    expect(await p.getByRole('status').first().textContent()).toContain('The organization was created.');

    await j.visit(`${suite.server.url}/members`);
    await expect(p.getByRole('heading', { name: /^Partners/ }).count()).resolves.toBe(1);
    await j.clickAndCheck(() => p.getByRole('link', { name: /E2E-ORG/ }).click());
    expect(await p.locator('h1').textContent()).toContain('End-to-End Testing Partnership');
    expect(await p.getByText('Created by the browser journey.').count()).toBe(1);
  });

  it('sees the validation errors next to the fields when the form is incomplete', async () => {
    const j = await start();
    await signIn(j, 'administrator');
    await j.visit(`${suite.server.url}/admin/organizations/new`);
    await j.page.getByLabel('Acronym').fill('HALF');
    await j.page.getByLabel('Website').fill('not-a-website');
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Create the organization' }).click());
    expect(await j.page.getByRole('heading', { name: 'There is a problem' }).count()).toBe(1);
    expect(await j.page.getByLabel('Name in English').getAttribute('aria-invalid')).toBe('true');
    expect(await j.page.getByLabel('Website').getAttribute('aria-invalid')).toBe('true');
    expect(await j.page.getByLabel('Acronym').inputValue()).toBe('HALF');
  });

  it('reads the audit log, with the organization it created shown as recorded values', async () => {
    const j = await start();
    await signIn(j, 'administrator');
    await j.visit(`${suite.server.url}/admin/audit?recordType=organization`);
    expect(await j.page.getByText('Organization created').count()).toBeGreaterThan(0);
    await j.visit(`${suite.server.url}/admin/users`);
    await j.visit(`${suite.server.url}/admin/invitations`);
    await j.visit(`${suite.server.url}/admin/tokens`);
    await j.visit(`${suite.server.url}/account`);
  });
});

describe('a coordinator', () => {
  it('sees an organization’s focal points, which visitors do not see', async () => {
    const j = await start();
    await signIn(j, 'coordinator');
    await j.visit(`${suite.server.url}/members/iom`);
    expect(await j.page.getByRole('heading', { name: 'Focal points and staff' }).count()).toBe(1);
    expect(await j.page.getByText(suite.server.account('focal point, IOM').email).count()).toBe(1);
    await j.visit(`${suite.server.url}/admin`);
    await j.visit(`${suite.server.url}/admin/audit`);
  });
});

describe('a visitor without JavaScript', () => {
  it('browses and filters the members and opens an organization page', async () => {
    const j = await start({ javaScript: false });
    await j.visit(`${suite.server.url}/`);
    await j.clickAndCheck(() => j.page.getByRole('link', { name: 'Browse the members' }).click());
    expect(await j.page.locator('h1').textContent()).toBe('Members');
    await j.page.getByLabel('Name or acronym').fill('migration');
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Filter' }).click());
    expect(new URL(j.page.url()).searchParams.get('q')).toBe('migration');
    const cards = j.page.locator('.org-card');
    expect(await cards.count()).toBe(2);
    await j.clickAndCheck(() => j.page.getByRole('link', { name: /IOM/ }).click());
    expect(await j.page.locator('h1').textContent()).toContain('International Organization for Migration');
    expect(await j.page.getByText('XM-DAC-47066').count()).toBe(1);
    expect(await j.page.getByText('Focal points and staff').count()).toBe(0);
    await j.clickAndCheck(() => j.page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Members' }).click());
    await j.visit(`${suite.server.url}/api`);
    await j.visit(`${suite.server.url}/no-such-page`, 404);
  });

  it('reads the pages on a phone-sized screen without sideways scrolling', async () => {
    const j = await start({ javaScript: false, width: 375, height: 812 });
    for (const path of ['/', '/members', '/members/unodc', '/api', '/sign-in']) {
      await j.visit(`${suite.server.url}${path}`);
      const overflow = await j.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
  });

  it('administers on a phone-sized screen without sideways scrolling', async () => {
    const j = await start({ width: 375, height: 812 });
    await signIn(j, 'administrator');
    for (const path of ['/admin', '/admin/organizations', '/admin/organizations/unodc/edit', '/admin/users', '/admin/invitations', '/admin/tokens', '/admin/audit']) {
      await j.visit(`${suite.server.url}${path}`);
      const overflow = await j.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
  });
});

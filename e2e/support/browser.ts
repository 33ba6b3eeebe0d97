import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** WCAG 2.1 levels A and AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * A browser session for one journey: Debian's Chromium with a fresh profile, and a record of
 * every page it loads so that the journey can prove each was checked for accessibility.
 */
type Browser = { context: BrowserContext; page: Page; profile: string };
type StartOptions = { javaScript?: boolean; width?: number; height?: number; locale?: string };

async function launch(opts: StartOptions): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    javaScriptEnabled: opts.javaScript ?? true,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    locale: opts.locale ?? 'en-GB',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, profile };
}

export class Journey {
  readonly loaded: string[] = [];
  readonly checked = new Set<string>();
  private constructor(
    private readonly browser: Browser,
    /** With JavaScript off, axe (itself a script) runs in this second browser on the same address and cookies. */
    private readonly auditor: Browser | undefined,
  ) {
    browser.page.on('load', () => this.loaded.push(browser.page.url()));
  }

  get page(): Page {
    return this.browser.page;
  }

  static async start(opts: StartOptions = {}): Promise<Journey> {
    const browser = await launch(opts);
    const auditor = opts.javaScript === false ? await launch({ ...opts, javaScript: true }) : undefined;
    return new Journey(browser, auditor);
  }

  /** Opens a page, checks that it answered and that axe finds nothing. */
  async visit(url: string, expectedStatus = 200): Promise<void> {
    const res = await this.page.goto(url, { waitUntil: 'load' });
    expect(res?.status(), url).toBe(expectedStatus);
    await this.checkAccessibility();
  }

  /** Runs axe-core (WCAG 2.1 A/AA) on the current page; any violation fails the journey with its details. */
  async checkAccessibility(): Promise<void> {
    await this.page.waitForLoadState('load');
    let target = this.page;
    if (this.auditor) {
      // Only GET pages are reachable without JavaScript here, so the same address and cookies give the same page.
      await this.auditor.context.clearCookies();
      await this.auditor.context.addCookies(await this.browser.context.cookies());
      await this.auditor.page.goto(this.page.url(), { waitUntil: 'load' });
      target = this.auditor.page;
    }
    const results = await new AxeBuilder({ page: target }).withTags(WCAG_TAGS).analyze();
    const violations = results.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ')}`),
    }));
    expect(violations, `axe on ${this.page.url()}`).toEqual([]);
    this.checked.add(this.page.url());
  }

  /**
   * Runs axe on the document as it is now, for a page answered to a POST (a form shown again
   * with its messages): with JavaScript off, the auditor gets a copy of this very document
   * (a GET of its address would show another page), with a base address so styles apply.
   */
  async checkDocument(): Promise<void> {
    if (!this.auditor) return this.checkAccessibility();
    await this.page.waitForLoadState('load');
    const url = this.page.url();
    // Without its scripts, as the browser without JavaScript shows it.
    const html = (await this.page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '').replace(/<head>/i, `<head><base href="${new URL(url).origin}/">`);
    await this.auditor.page.setContent(html, { waitUntil: 'load' });
    const results = await new AxeBuilder({ page: this.auditor.page }).withTags(WCAG_TAGS).analyze();
    const violations = results.violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
    expect(violations, `axe on the document of ${url}`).toEqual([]);
    this.checked.add(url);
  }

  /** Clicks something that navigates, waits for the new page and checks it. */
  async clickAndCheck(click: () => Promise<void>): Promise<void> {
    await Promise.all([this.page.waitForEvent('load'), click()]);
    await this.checkAccessibility();
  }

  /** Every page the browser loaded was checked by axe. */
  assertEveryPageChecked(): void {
    const unchecked = this.loaded.filter((u) => !this.checked.has(u));
    expect(unchecked, 'pages loaded without an accessibility check').toEqual([]);
  }

  async close(): Promise<void> {
    for (const b of [this.browser, this.auditor]) {
      if (!b) continue;
      await b.context.close();
      fs.rmSync(b.profile, { recursive: true, force: true });
    }
  }
}

import { describe, expect, it } from 'vitest';
import { journeySuite } from './support/suite.ts';

const suite = journeySuite();
const { start } = suite;

describe('the knowledge library', () => {
  it('searches, applies a facet, opens a result and switches its language', async () => {
    // The coordinator adds a French version to Issue Brief 02 through the edit form.
    const editor = await start();
    await suite.signIn(editor, 'coordinator');
    await editor.visit(`${suite.server.url}/library?q=${encodeURIComponent('"humanitarian community"')}`);
    await editor.clickAndCheck(() => editor.page.locator('.search-hit h3 a').first().click());
    const recordUrl = editor.page.url();
    expect(await editor.page.locator('h1').textContent()).toBe('Trafficking in Persons in Humanitarian Crises');
    await editor.clickAndCheck(() => editor.page.getByRole('link', { name: 'Edit' }).click());
    await editor.page.locator('#f-title-fr').fill('La traite des personnes dans les crises humanitaires');
    await editor.page.locator('#f-summary-fr').fill('Pourquoi les crises exposent les personnes à la traite, et ce que font les acteurs humanitaires.');
    await editor.clickAndCheck(() => editor.page.getByRole('button', { name: 'Save' }).click());
    expect(editor.page.url()).toContain(new URL(recordUrl).pathname);

    // The version history says what the edit changed; the newest version compares it word by word.
    await editor.clickAndCheck(() => editor.page.getByRole('link', { name: 'Version history' }).click());
    const newest = editor.page.locator('.version-list > li').first();
    expect(await newest.textContent()).toContain('Language version added: French');
    await editor.clickAndCheck(() => newest.locator('h2 a').click());
    const added = editor.page.locator('.version-diff td[lang="fr"] ins').first();
    expect(await added.textContent()).toBe('added: La traite des personnes dans les crises humanitaires');
    expect(await added.evaluate((el) => getComputedStyle(el).textDecorationLine)).toBe('underline');
    await editor.clickAndCheck(() => editor.page.getByRole('link', { name: 'All versions' }).click());
    expect(await editor.page.locator('h1').textContent()).toBe('Version history');

    // A visitor searches, narrows to issue briefs, opens the brief and reads it in French.
    const j = await start();
    await j.visit(`${suite.server.url}/library`);
    await j.page.locator('#library-q').fill('humanitarian');
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Search' }).first().click());
    const before = await j.page.locator('.search-hit').count();
    expect(before).toBeGreaterThan(1);
    await j.page.locator('fieldset.facet', { hasText: 'Kind of publication' }).locator('input[value="issue_brief"]').check();
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Apply filters' }).first().click());
    expect(new URL(j.page.url()).searchParams.getAll('kind')).toEqual(['issue_brief']);
    const hits = await j.page.locator('.search-hit h3 a').allTextContents();
    expect(hits).toContain('Trafficking in Persons in Humanitarian Crises');
    expect(hits.length).toBeLessThan(before);
    // The explanation says why it is there.
    const hit = j.page.locator('.search-hit', { hasText: 'Trafficking in Persons in Humanitarian Crises' });
    await hit.locator('summary', { hasText: 'Why this result?' }).click();
    expect(await hit.locator('.explanation').textContent()).toMatch(/Matched in the title/);
    await j.clickAndCheck(() => hit.locator('h3 a').click());
    await j.clickAndCheck(() => j.page.getByRole('navigation', { name: 'Language versions' }).getByRole('link', { name: 'French' }).click());
    expect(await j.page.locator('h1').textContent()).toBe('La traite des personnes dans les crises humanitaires');
    expect(await j.page.locator('h1').getAttribute('lang')).toBe('fr');
    expect(await j.page.locator('.cite-box .citation').textContent()).toContain('La traite des personnes dans les crises humanitaires');
  });

  it('saves a search, lists it in the account and opens it again, without JavaScript', async () => {
    const j = await start({ javaScript: false });
    await suite.signIn(j, 'coordinator');
    await j.visit(`${suite.server.url}/library?q=humanitarian&kind=issue_brief`);
    await j.page.locator('#f-name').fill('Humanitarian briefs');
    await j.page.locator('#f-frequency').selectOption('weekly');
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Save this search' }).click());
    expect(new URL(j.page.url()).pathname).toBe('/account/searches');
    const item = j.page.locator('.saved-search', { hasText: 'Humanitarian briefs' });
    expect(await item.locator('select').inputValue()).toBe('weekly');
    expect(await item.locator('.badge').textContent()).toBe('Nothing new');
    await j.clickAndCheck(() => item.getByRole('link', { name: 'Humanitarian briefs' }).click());
    expect(new URL(j.page.url()).search).toBe('?q=humanitarian&kind=issue_brief');
    expect(await j.page.locator('.search-hit').count()).toBeGreaterThan(0);

    // A visitor asks for the same results by e-mail.
    const visitor = await start({ javaScript: false });
    await visitor.visit(`${suite.server.url}/library?q=humanitarian`);
    await visitor.page.locator('#f-email').fill('reader@example.org');
    await visitor.clickAndCheck(() => visitor.page.getByRole('button', { name: 'E-mail me new results' }).click());
    expect(await visitor.page.locator('.flash-success').textContent()).toContain('Check your inbox');
  });

  it('reads the saved searches, the alert pages and the version history right to left in Arabic', async () => {
    const url = suite.server.url;
    const db = suite.server.running.services.db.kysely;
    const j = await start();
    await suite.signIn(j, 'coordinator');
    const rightToLeft = async (who: typeof j, heading: string) => {
      expect(await who.page.locator('html').getAttribute('dir')).toBe('rtl');
      expect(await who.page.locator('html').getAttribute('lang')).toBe('ar');
      expect(await who.page.locator('h1').textContent()).toBe(heading);
    };
    await j.visit(`${url}/account/searches?lang=ar`);
    await rightToLeft(j, 'عمليات البحث المحفوظة');
    await j.visit(`${url}/library?q=humanitarian&language=en&lang=ar`);
    await rightToLeft(j, 'مكتبة المعارف');
    const record = new URL((await j.page.locator('.search-hit h3 a').first().getAttribute('href'))!, url).pathname;
    await j.visit(`${url}${record}/history?lang=ar`);
    await rightToLeft(j, 'سجل النسخ');
    await j.visit(`${url}${record}/history/1?lang=ar`);
    expect(await j.page.locator('html').getAttribute('dir')).toBe('rtl');

    // A visitor reading in Arabic asks for e-mail alerts, confirms and unsubscribes, without JavaScript.
    const visitor = await start({ javaScript: false });
    await visitor.visit(`${url}/language/ar?next=${encodeURIComponent('/library?q=humanitarian')}`);
    await visitor.page.locator('#f-email').fill('arabic.reader@example.org');
    await visitor.clickAndCheck(() => visitor.page.getByRole('button', { name: 'أرسلوا إليّ النتائج الجديدة' }).click());
    const mail = await db.selectFrom('mail_outbox').select('text_body').where('to_address', '=', 'arabic.reader@example.org').executeTakeFirstOrThrow();
    expect(mail.text_body).toContain('تحية طيبة');
    await visitor.visit(`${url}${/\/alerts\/confirm\/[A-Za-z0-9_-]+/.exec(mail.text_body)![0]}`);
    await rightToLeft(visitor, 'أكّد التنبيه عبر البريد الإلكتروني');
    // Answered to the POST itself: axe checks this very document.
    await Promise.all([visitor.page.waitForEvent('load'), visitor.page.getByRole('button', { name: 'تأكيد', exact: true }).click()]);
    await visitor.checkDocument();
    await rightToLeft(visitor, 'التنبيه عبر البريد الإلكتروني مفعَّل');
    const row = await db.selectFrom('saved_searches').select('unsubscribe_token').where('email', '=', 'arabic.reader@example.org').executeTakeFirstOrThrow();
    await visitor.visit(`${url}/alerts/unsubscribe/${row.unsubscribe_token}`);
    await rightToLeft(visitor, 'إيقاف هذا التنبيه عبر البريد الإلكتروني');
    // Answered to the POST itself: axe checks this very document.
    await Promise.all([visitor.page.waitForEvent('load'), visitor.page.getByRole('button', { name: 'إلغاء الاشتراك', exact: true }).click()]);
    await visitor.checkDocument();
    await rightToLeft(visitor, 'أُلغي اشتراكك');
  });

  it('reads a publication on a phone, its trail on one line, and prints it without the navigation', async () => {
    const j = await start({ javaScript: false, width: 375, height: 812 });
    await j.visit(`${suite.server.url}/library?q=${encodeURIComponent('"accelerated action"')}&type=publication`);
    await j.clickAndCheck(() => j.page.locator('.search-hit h3 a').first().click());
    const overflow = await j.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const trail = j.page.getByRole('navigation', { name: 'Breadcrumb' });
    expect(await trail.getByRole('link').allTextContents()).toEqual(['Library']);
    const here = trail.locator('[aria-current="page"]');
    expect(await here.textContent()).toBe('Call for Accelerated Action by 2025 to Prevent and End Child Trafficking');
    // A long title is cut to one line in the trail; the heading below gives it whole.
    const box = (await here.boundingBox())!;
    const lineHeight = await here.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect(box.height).toBeLessThan(lineHeight * 1.5);

    await j.page.emulateMedia({ media: 'print' });
    const shown = async (selector: string) => j.page.locator(selector).first().isVisible();
    for (const hidden of ['.main-nav', '.breadcrumb', '.lang-switch', '.cite-box .chip-list']) expect(await shown(hidden), hidden).toBe(false);
    for (const kept of ['h1', '.cite-box .citation']) expect(await shown(kept), kept).toBe(true);

    // A printed search says what was searched, which the hidden form says on screen, and leaves out what only works on screen.
    await j.visit(`${suite.server.url}/library?q=child`);
    expect(await j.page.locator('.print-only').textContent()).toBe('Search: “child”');
    for (const hidden of ['.filter-bar', '.search-feed', '.search-follow']) expect(await shown(hidden), hidden).toBe(false);
    for (const kept of ['.print-only', '.search-hit']) expect(await shown(kept), kept).toBe(true);
    await j.page.emulateMedia({ media: 'screen' });
    expect(await shown('.print-only')).toBe(false);
  });
});

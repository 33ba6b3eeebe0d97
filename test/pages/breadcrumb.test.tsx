import { describe, expect, it } from 'vitest';
import { Breadcrumb } from '../../src/http/pages/components/breadcrumb.tsx';
import { translator } from '../../src/i18n/i18n.ts';

const render = (el: unknown) => String(el);

describe('Breadcrumb', () => {
  it('links the pages above, marks the current one, and names the language of a step in another language', () => {
    const html = render(
      <Breadcrumb
        t={translator('fr')}
        trail={[
          { href: '/library', label: 'Bibliothèque' },
          { href: '/library/pub_1', label: 'Pre-departure orientation', lang: 'en' },
        ]}
        here="Historique"
      />,
    );
    expect(html).toBe(
      '<nav aria-label="Fil d’Ariane" class="breadcrumb"><ol>' +
        '<li><a href="/library">Bibliothèque</a></li>' +
        '<li><a href="/library/pub_1" lang="en" dir="ltr">Pre-departure orientation</a></li>' +
        '<li aria-current="page">Historique</li></ol></nav>',
    );
  });

  it('escapes what it is given', () => {
    const html = render(<Breadcrumb t={translator('en')} trail={[{ href: '/a?x=1&y=2', label: '<b>' }]} here={'"quoted" & <i>'} hereLang="ar" />);
    expect(html).toContain('<a href="/a?x=1&amp;y=2">&lt;b&gt;</a>');
    expect(html).toContain('<li aria-current="page" lang="ar" dir="rtl">&quot;quoted&quot; &amp; &lt;i&gt;</li>');
  });
});

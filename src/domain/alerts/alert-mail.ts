import type { Config } from '../../config/config.ts';
import { isLanguage, translator } from '../../i18n/i18n.ts';
import type { MailMessage } from '../../mail/mailer.ts';
import type { SearchHit } from '../search/search-schemas.ts';

/** Texts of the search-alert e-mails, in the recipient's language, with links built from BASE_URL. */
function t(lang: string) {
  return translator(isLanguage(lang) ? lang : 'en');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The page that confirms a subscription (its button does it, so that link checkers cannot). */
export const confirmPath = (token: string) => `/alerts/confirm/${token}`;
/** The page that ends a subscription; RFC 8058 one-click clients post to the same address. */
export const unsubscribePath = (token: string) => `/alerts/unsubscribe/${token}`;

export function confirmationMail(config: Config, to: { email: string; language: string }, o: { token: string; name: string; query: string; hours: number }): MailMessage {
  const tr = t(to.language);
  const link = `${config.baseUrl}${confirmPath(o.token)}`;
  const search = `${config.baseUrl}/library${o.query ? `?${o.query}` : ''}`;
  const text = tr('mail.alertConfirm.body', { name: o.name, search, link, hours: o.hours });
  return {
    to: to.email,
    subject: tr('mail.alertConfirm.subject'),
    text,
    html: `<p>${escapeHtml(tr('mail.alertConfirm.htmlIntro', { name: o.name }))}</p>
<p><a href="${escapeHtml(link)}">${escapeHtml(tr('mail.alertConfirm.button'))}</a></p>
<p>${escapeHtml(tr('mail.alertConfirm.htmlOutro', { hours: o.hours }))}</p>`,
  };
}

export type DigestInput = {
  to: { email: string; language: string };
  name: string;
  query: string;
  total: number;
  hits: SearchHit[];
  unsubscribeToken: string;
  /** People manage their searches in their account; readers only have the unsubscribe link. */
  manageUrl: boolean;
};

/** One digest of new matches: a list of titles with links, the full search, and how to stop. */
export function digestMail(config: Config, d: DigestInput): MailMessage {
  const tr = t(d.to.language);
  const base = config.baseUrl;
  const search = `${base}/library${d.query ? `?${d.query}` : ''}`;
  const unsubscribe = `${base}${unsubscribePath(d.unsubscribeToken)}`;
  const manage = `${base}/account/searches`;
  const more = d.total - d.hits.length;
  const kindOf = (h: SearchHit) => (h.kind ? tr(`library.kind.${h.kind}`) : tr(`library.type.${h.type}`));
  const lines = d.hits.map((h) => `- ${h.title} (${[kindOf(h), h.date].filter(Boolean).join(', ')})\n  ${base}${h.url}`);
  const text = [
    tr('mail.alertDigest.intro', { count: d.total, name: d.name }),
    '',
    ...lines,
    ...(more > 0 ? ['', tr('mail.alertDigest.more', { count: more })] : []),
    '',
    tr('mail.alertDigest.fullSearch', { link: search }),
    '',
    d.manageUrl ? tr('mail.alertDigest.manage', { link: manage }) : '',
    tr('mail.alertDigest.unsubscribe', { link: unsubscribe }),
    '',
    'ICAT Platform',
  ]
    .filter((l, i, all) => !(l === '' && all[i - 1] === ''))
    .join('\n');
  const items = d.hits
    .map(
      (h) =>
        `<li><a href="${escapeHtml(base + h.url)}">${escapeHtml(h.title)}</a> <small>${escapeHtml([kindOf(h), h.date].filter(Boolean).join(', '))}</small></li>`,
    )
    .join('\n');
  const html = `<p>${escapeHtml(tr('mail.alertDigest.intro', { count: d.total, name: d.name }))}</p>
<ul>
${items}
</ul>
${more > 0 ? `<p>${escapeHtml(tr('mail.alertDigest.more', { count: more }))}</p>\n` : ''}<p><a href="${escapeHtml(search)}">${escapeHtml(tr('mail.alertDigest.fullSearchLink'))}</a></p>
<p><small>${d.manageUrl ? `<a href="${escapeHtml(manage)}">${escapeHtml(tr('mail.alertDigest.manageLink'))}</a> · ` : ''}<a href="${escapeHtml(unsubscribe)}">${escapeHtml(tr('mail.alertDigest.unsubscribeLink'))}</a></small></p>`;
  return {
    to: d.to.email,
    subject: tr('mail.alertDigest.subject', { count: d.total, name: d.name }),
    text,
    html,
    headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

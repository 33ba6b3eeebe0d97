import en from '../../src/i18n/locales/en.json' with { type: 'json' };

/**
 * What a reader of a page sees or hears: text outside tags, scripts and <code>, plus the
 * attributes read aloud or shown (aria-label, title, alt, placeholder, meta content).
 */
export function readableText(html: string): string {
  const attrs = [...html.matchAll(/\s(?:aria-label|title|alt|placeholder|content)="([^"]*)"/g)].map((m) => m[1]);
  const text = html
    .replace(/<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<code[\s\S]*?<\/code>/gi, ' ')
    .replace(/<pre[\s\S]*?<\/pre>/gi, ' ')
    .replace(/<[^>]+>/g, ' ');
  return [text, ...attrs].join(' ').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

const NAMESPACES = Object.keys(en).join('|');
const KEY = new RegExp(`(?<![\\w/.@-])(?:${NAMESPACES})\\.[A-Za-z_]+(?:\\.[A-Za-z_]+)*(?![\\w@-])`, 'g');

/**
 * Strings that look like catalogue keys (`home.title`, `admin.org.logo.none`) or unfilled
 * placeholders (`{{name}}`): what i18next shows when a key or a value is missing.
 */
export function untranslatedKeys(html: string): string[] {
  const text = readableText(html);
  return [...new Set([...(text.match(KEY) ?? []), ...(text.match(/\{\{\s*\w+\s*\}\}/g) ?? [])])];
}

/** Inline scripts, inline styles and event-handler attributes: the security policy forbids all three. */
export function inlineCode(html: string): string[] {
  return [
    ...(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? []),
    ...(html.match(/\sstyle="[^"]*"/g) ?? []),
    ...(html.match(/\son[a-z]+="[^"]*"/g) ?? []),
  ];
}

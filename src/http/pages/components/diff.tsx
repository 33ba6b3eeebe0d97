import type { Translate } from '../../../i18n/i18n.ts';

/** Fields whose change says nothing a reader needs (every change touches them). */
const NOISE = new Set(['updatedAt']);

/** Flattens a snapshot to dotted paths with readable values: `name.fr` → "…", `chairYears` → "2021, 2022". */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value === null || value === undefined) {
    if (prefix) out.set(prefix, '');
    return out;
  }
  if (Array.isArray(value)) {
    const simple = value.every((v) => v === null || typeof v !== 'object');
    if (simple) out.set(prefix, value.map((v) => String(v)).join(', '));
    else value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    return out;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, '');
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  out.set(prefix, String(value));
  return out;
}

export type FieldChange = { field: string; before: string | undefined; after: string | undefined };

/** The fields that differ between two snapshots, in a stable order. */
export function changedFields(before: unknown, after: unknown): FieldChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].filter((k) => !NOISE.has(k));
  return keys
    .filter((k) => (a.get(k) ?? '') !== (b.get(k) ?? ''))
    .map((k) => ({ field: k, before: a.has(k) ? a.get(k) : undefined, after: b.has(k) ? b.get(k) : undefined }));
}

/** A before/after table of the changed fields of one audit entry; a creation or deletion lists the values in a closed disclosure. */
export function Diff({ t, before, after, caption }: { t: Translate; before: unknown; after: unknown; caption: string }) {
  const changes = changedFields(before, after);
  if (changes.length === 0) return <p class="meta">{t('audit.noFieldChanges')}</p>;
  const oneSided = before === null || after === null || before === undefined || after === undefined;
  if (oneSided) {
    const created = after !== null && after !== undefined;
    return (
      <details class="diff-details">
        <summary>{t(created ? 'audit.showValues' : 'audit.showRemoved', { count: changes.length })}</summary>
        <table class="diff">
          <caption class="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.field')}</th>
              <th scope="col">{t('audit.value')}</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((ch) => (
              <tr>
                <th scope="row">
                  <code>{ch.field}</code>
                </th>
                <td>{(created ? ch.after : ch.before) || <span class="meta">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    );
  }
  return (
    <table class="diff">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('audit.field')}</th>
          <th scope="col">{t('audit.before')}</th>
          <th scope="col">{t('audit.after')}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((ch) => (
          <tr>
            <th scope="row">
              <code>{ch.field}</code>
            </th>
            <td>{ch.before ? <del>{ch.before}</del> : <span class="meta">—</span>}</td>
            <td>{ch.after ? <ins>{ch.after}</ins> : <span class="meta">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

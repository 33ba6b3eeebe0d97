import type { Child } from 'hono/jsx';
import { formatNumber } from '../format.ts';
import type { PageContext } from '../page-context.ts';

/** Values shown before "more" in a long facet. */
const VISIBLE_VALUES = 8;

export type FacetChoice = { value: string; label: string; count: number; selected: boolean; level?: number };

/**
 * A facet of a GET search form: one checkbox per value with its count. Selected values and the
 * most frequent stay in view; the rest fold away under "more" (still in the form), unless
 * `keepAll` (a hierarchy that folding would cut). `children` follow the values.
 */
export function CheckboxFacet({ page, name, legend, values, keepAll = false, children }: { page: PageContext; name: string; legend: string; values: FacetChoice[]; keepAll?: boolean; children?: Child }) {
  const { t } = page;
  if (values.length === 0) return null;
  const id = `facet-${name}`;
  const shown = values.filter((v, i) => keepAll || v.selected || i < VISIBLE_VALUES || values.length <= VISIBLE_VALUES + 2);
  const folded = values.filter((v) => !shown.includes(v));
  const item = (v: FacetChoice) => (
    <li class={v.level ? `facet-level-${v.level}` : undefined}>
      <label class="checkbox" for={`${id}-${v.value}`}>
        <input type="checkbox" id={`${id}-${v.value}`} name={name} value={v.value} checked={v.selected} />
        <span>
          {v.label} <span class="count">({formatNumber(page.lang, v.count)})</span>
        </span>
      </label>
    </li>
  );
  return (
    <fieldset class="facet">
      <legend>{legend}</legend>
      <ul class="checkbox-list">{shown.map(item)}</ul>
      {folded.length > 0 && (
        <details class="facet-more">
          <summary>{t('activityList.more', { count: folded.length })}</summary>
          <ul class="checkbox-list">{folded.map(item)}</ul>
        </details>
      )}
      {children}
    </fieldset>
  );
}

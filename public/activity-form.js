// Progressive enhancement of the activity form: rows of the repeating groups (participants,
// countries, sectors, budgets) are added and removed in the browser instead of by a round trip
// to the server. Without this script the form works the same way, one submit per added row.

const form = document.querySelector('form[data-activity-form]');

/** The highest row number used in a group (rows may have gaps after removals; the server renumbers). */
function maxIndex(group) {
  let max = -1;
  for (const el of group.querySelectorAll('[data-repeat-rows] [name]')) {
    const m = /^[a-z]+\.(\d+)\./i.exec(el.getAttribute('name') || '');
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

/** Renumbers the visible row legends ("Country 1", "Country 2", …) after an addition or removal. */
function renumberLegends(group) {
  const template = group.querySelector('template[data-row-template]');
  const pattern = template ? template.content.querySelector('legend')?.textContent || '' : '';
  group.querySelectorAll('[data-repeat-rows] > [data-repeat-row]').forEach((row, i) => {
    const legend = row.querySelector('legend');
    if (legend && pattern.includes('__n__')) legend.textContent = pattern.replace('__n__', String(i + 1));
  });
}

function addRemoveButton(group, row) {
  if (row.querySelector('[data-remove-row]')) return;
  const label = group.getAttribute('data-remove-label') || form.getAttribute('data-remove-label') || 'Remove';
  const legend = row.querySelector('legend');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link-button remove-row';
  button.setAttribute('data-remove-row', '');
  button.textContent = label;
  const describe = () => button.setAttribute('aria-label', `${label}: ${legend ? legend.textContent : ''}`);
  describe();
  button.addEventListener('click', () => {
    row.remove();
    renumberLegends(group);
    group.querySelectorAll('[data-repeat-rows] [data-remove-row]').forEach((b) => {
      const l = b.closest('[data-repeat-row]')?.querySelector('legend');
      b.setAttribute('aria-label', `${label}: ${l ? l.textContent : ''}`);
    });
    group.querySelector('[data-add-row]')?.focus();
  });
  row.appendChild(button);
}

function addRow(group) {
  const template = group.querySelector('template[data-row-template]');
  const rows = group.querySelector('[data-repeat-rows]');
  if (!template || !rows) return;
  const index = String(maxIndex(group) + 1);
  const fragment = template.content.cloneNode(true);
  for (const el of fragment.querySelectorAll('*')) {
    for (const attr of ['name', 'id', 'for', 'aria-describedby']) {
      const v = el.getAttribute(attr);
      if (v && v.includes('__i__')) el.setAttribute(attr, v.split('__i__').join(index));
    }
  }
  const row = fragment.querySelector('[data-repeat-row]');
  rows.appendChild(fragment);
  renumberLegends(group);
  addRemoveButton(group, row);
  row.querySelector('input, select, textarea')?.focus();
}

if (form) {
  for (const group of form.querySelectorAll('[data-repeat-group]')) {
    group.querySelectorAll('[data-repeat-rows] > [data-repeat-row]').forEach((row) => addRemoveButton(group, row));
    const add = group.querySelector('[data-add-row]');
    add?.addEventListener('click', (event) => {
      event.preventDefault();
      addRow(group);
    });
  }
}

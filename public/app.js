// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add('js');

// After a refused form, move the focus to the summary of what to fix, so that keyboard and
// screen-reader users hear it first (the summary links to each field).
const summary = document.querySelector('.error-summary');
if (summary instanceof HTMLElement) summary.focus();

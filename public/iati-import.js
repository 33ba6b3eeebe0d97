// Follows a running IATI import through the API and updates its page in place; reloads the page
// once the import has finished, to show its report. Without this file the page refreshes itself.
const box = document.querySelector('[data-job][data-running]');
if (box instanceof HTMLElement) {
  const id = box.dataset.job;
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const set = (selector, text) => {
    const el = box.querySelector(selector);
    if (el) el.textContent = text;
  };
  const tick = async () => {
    try {
      const res = await fetch(`/api/v1/iati/imports/${id}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) return setTimeout(tick, 5000);
      const job = await res.json();
      if (job.status !== 'queued' && job.status !== 'running') {
        window.location.reload();
        return;
      }
      const bar = box.querySelector('[data-job-percent]');
      if (bar instanceof HTMLProgressElement) {
        bar.value = job.progress.percent;
        bar.textContent = `${job.progress.percent}%`;
      }
      const label = box.querySelector('label[for="job-progress"]');
      if (label) label.textContent = label.textContent.replace(/\d+(?=\s*%)/, String(job.progress.percent));
      set('[data-job-count="activities"]', number.format(job.progress.activities));
      for (const [k, v] of Object.entries(job.progress.counts)) set(`[data-job-count="${k}"]`, number.format(v));
      setTimeout(tick, 1000);
    } catch {
      setTimeout(tick, 5000);
    }
  };
  setTimeout(tick, 1000);
}

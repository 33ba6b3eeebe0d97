import fs from 'node:fs';
import path from 'node:path';
import type { MachineFacts } from './machine.ts';
import type { Figure, Scale } from './types.ts';

export type BenchReport = {
  machine: MachineFacts;
  scale: Scale;
  backends: { name: string; version?: string }[];
  durationSeconds: number;
  /** The one-minute load average sampled every 15 s during the run: on a shared machine it says how far to trust absolute figures. */
  load: { mean: number; max: number; end: number };
  /** How long each suite took on each back end (and the shared registry load). */
  timings: { suite: string; backend: string; seconds: number }[];
  figures: Figure[];
  notes: string[];
};

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 }));

export function toMarkdown(r: BenchReport): string {
  const m = r.machine;
  const lines = [
    `# Benchmark results — ${m.date.slice(0, 10)} (${m.gitRevision})`,
    '',
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; load average at start ${m.loadAverage.join(' / ')}.`,
    `Scale: \`${r.scale}\`. Back ends: ${r.backends.map((b) => (b.version ? `${b.name} (${b.version})` : b.name)).join(', ')}. Whole run: ${Math.round(r.durationSeconds)} s.`,
    `Load average (1 min) during the run: mean ${r.load.mean}, max ${r.load.max}, at the end ${r.load.end} (${m.cores} cores: above ${m.cores}, other work shared the machine).`,
    '',
    'Each figure stands beside a baseline measured in the same run; the ratio is the figure to trust on a noisy machine.',
    '',
  ];
  const suites = [...new Set(r.figures.map((f) => f.suite))];
  for (const s of suites) {
    lines.push(`## ${s}`, '', '| back end | benchmark | value | baseline | ratio | details |', '|---|---|---:|---|---:|---|');
    for (const f of r.figures.filter((x) => x.suite === s)) {
      const details = f.extra
        ? Object.entries(f.extra)
            .map(([k, v]) => `${k}: ${typeof v === 'number' ? fmt(v) : String(v)}`)
            .join(', ')
        : '';
      lines.push(
        `| ${f.backend} | ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.baseline ? `${f.baseline.name}: ${fmt(f.baseline.value)} ${f.baseline.unit}` : '—'} | ${f.ratio ?? '—'} | ${details} |`,
      );
    }
    lines.push('');
  }
  if (r.timings.length > 0) {
    lines.push('## Time per suite', '', '| back end | suite | seconds |', '|---|---|---:|');
    for (const t of r.timings) lines.push(`| ${t.backend} | ${t.suite} | ${fmt(t.seconds)} |`);
    lines.push('');
  }
  if (r.notes.length > 0) lines.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/** Writes `<date>-<rev>-<scale>.json|.md` and `latest.json|.md` under bench/results. */
export function writeReport(dir: string, r: BenchReport): { json: string; md: string } {
  fs.mkdirSync(dir, { recursive: true });
  const stem = `${r.machine.date.slice(0, 10)}-${r.machine.gitRevision.replace(/\+dirty$/, '-dirty')}-${r.scale}`;
  const json = path.join(dir, `${stem}.json`);
  const md = path.join(dir, `${stem}.md`);
  fs.writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  fs.writeFileSync(md, toMarkdown(r));
  fs.copyFileSync(json, path.join(dir, 'latest.json'));
  fs.copyFileSync(md, path.join(dir, 'latest.md'));
  return { json, md };
}

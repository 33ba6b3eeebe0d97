/**
 * A readable rendering of the JSON log lines, for a person watching a terminal:
 *
 *   14:03:12  INFO   GET /activities 200 · 12.4 ms
 *   14:03:15  WARN   mail delivery failed  error=connect ECONNREFUSED
 *
 * Machines (a log collector, a file, a pipe) get the JSON lines unchanged.
 */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 40: '\u001b[33m', 50: '\u001b[31m', 60: '\u001b[31m' };
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

const show = (v: unknown): string => (typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v));

/** One JSON log line as one readable line (without its end of line); `colour` adds ANSI colours. */
export function formatLogLine(json: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '';
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  let text: string;
  const rest = Object.entries(entry).filter(([k, v]) => !HIDDEN.has(k) && v !== undefined);
  if (entry.msg === 'request' && typeof entry.method === 'string') {
    text = `${entry.method} ${String(entry.path)} ${String(entry.status)} · ${String(entry.ms)} ms`;
    const extra = rest.filter(([k]) => !['method', 'path', 'status', 'ms', 'requestId'].includes(k));
    if (extra.length > 0) text += `  ${extra.map(([k, v]) => `${k}=${show(v)}`).join(' ')}`;
  } else {
    text = `${typeof entry.msg === 'string' ? entry.msg : ''}${rest.length > 0 ? `  ${rest.map(([k, v]) => `${k}=${show(v)}`).join(' ')}` : ''}`;
  }
  if (!colour) return `${time}  ${name}  ${text}`;
  return `${DIM}${time}${RESET}  ${COLOURS[level] ?? ''}${name}${COLOURS[level] ? RESET : ''}  ${text}`;
}

/** A pino destination that writes readable lines to `out`. */
export function readableDestination(out: NodeJS.WriteStream): { write(line: string): void } {
  const colour = out.isTTY === true && !process.env.NO_COLOR;
  return {
    write(line: string) {
      out.write(`${formatLogLine(line, colour)}\n`);
    },
  };
}

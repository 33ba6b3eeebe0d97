import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../src/lib/log-format.ts';

describe('readable log lines', () => {
  it('shows a request as method, path, status and duration', () => {
    const line = JSON.stringify({ level: 30, time: '2026-11-29T14:03:12.345Z', msg: 'request', requestId: 'abc', method: 'GET', path: '/activities', status: 200, ms: 12.4 });
    expect(formatLogLine(line, false)).toBe('14:03:12  INFO   GET /activities 200 · 12.4 ms');
  });

  it('shows other messages with their fields, quoting values with spaces', () => {
    const line = JSON.stringify({ level: 40, time: '2026-11-29T14:03:15.000Z', msg: 'mail delivery failed', error: 'connect ECONNREFUSED', attempts: 3 });
    expect(formatLogLine(line, false)).toBe('14:03:15  WARN   mail delivery failed  error="connect ECONNREFUSED" attempts=3');
  });

  it('colours warnings and errors on a terminal, and passes a line that is not JSON through', () => {
    const error = formatLogLine(JSON.stringify({ level: 50, time: '2026-11-29T00:00:00.000Z', msg: 'boom' }), true);
    expect(error).toContain('\u001b[31mERROR');
    expect(formatLogLine('plain text\n', true)).toBe('plain text');
  });
});

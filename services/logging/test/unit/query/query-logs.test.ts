import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEVELS } from '../../../src/query/log-filter';
import { queryLogs } from '../../../src/query/query-logs';

function line(ms: number, seq: number, service: string, level: string, msg: string) {
  return JSON.stringify({
    logId: `${ms}-${seq}`,
    level,
    time: new Date(ms).toISOString(),
    service,
    msg,
  });
}

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'pa-query-'));
  const t = Date.parse('2026-05-01T12:00:00Z');
  writeFileSync(
    join(dir, 'update.log.000001'),
    `${[line(t, 0, 'update', 'info', 'u0'), line(t + 2, 0, 'update', 'error', 'u1')].join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'update.log'),
    `${[line(t + 4, 0, 'update', 'info', 'u2'), line(t + 6, 0, 'update', 'warn', 'u3 Tunnel')].join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'connector.log'),
    `${[line(t + 1, 0, 'connector', 'info', 'c0'), line(t + 5, 0, 'connector', 'error', 'c1 tunnel')].join('\n')}\n`,
  );
  writeFileSync(join(dir, 'notes.txt'), 'not a log file\n');
  return { dir, t };
}

const msgs = (r: { entries: Array<Record<string, unknown>> }) => r.entries.map((e) => e.msg);

describe('queryLogs', () => {
  it('returns the newest matches of every service, oldest first, merged by stream id', async () => {
    const { dir } = fixture();
    expect(msgs(await queryLogs(dir, { limit: 100 }))).toEqual([
      'u0',
      'c0',
      'u1',
      'u2',
      'c1 tunnel',
      'u3 Tunnel',
    ]);
    const last3 = await queryLogs(dir, { limit: 3 });
    expect(msgs(last3)).toEqual(['u2', 'c1 tunnel', 'u3 Tunnel']);
    expect(last3.truncated).toBe(true);
  });

  it('filters by service, level, text and time', async () => {
    const { dir, t } = fixture();
    expect(msgs(await queryLogs(dir, { limit: 100, services: new Set(['update']) }))).toEqual([
      'u0',
      'u1',
      'u2',
      'u3 Tunnel',
    ]);
    expect(msgs(await queryLogs(dir, { limit: 100, minLevel: LEVELS.error }))).toEqual([
      'u1',
      'c1 tunnel',
    ]);
    expect(msgs(await queryLogs(dir, { limit: 100, text: 'tunnel' }))).toEqual([
      'c1 tunnel',
      'u3 Tunnel',
    ]);
    expect(msgs(await queryLogs(dir, { limit: 100, since: t + 2, until: t + 4 }))).toEqual([
      'u1',
      'u2',
    ]);
  });

  it('answers nothing for a directory that does not exist', async () => {
    expect(await queryLogs('/nonexistent/pa-logs', { limit: 10 })).toEqual({
      entries: [],
      truncated: false,
    });
  });
});

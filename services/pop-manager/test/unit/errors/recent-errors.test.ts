import { RecentErrors, toRecentError } from '../../../src/errors/recent-errors';

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const entry = (id: string, service: string, o: Record<string, unknown>) => ({
  id,
  service,
  line: line(o),
});

describe('recent errors from the log stream', () => {
  it('keeps error and fatal lines (words or pino numbers), with message, component, code and error', () => {
    expect(
      toRecentError(
        entry('1700000000000-0', 'connector', {
          level: 'error',
          time: '2030-01-01T00:00:00.000Z',
          component: 'catalog',
          code: 'sse_unavailable',
          err: { type: 'Error', message: 'connect ECONNREFUSED' },
          msg: 'catalog sync failed',
        }),
      ),
    ).toEqual({
      logId: '1700000000000-0',
      time: '2030-01-01T00:00:00.000Z',
      service: 'connector',
      level: 'error',
      msg: 'catalog sync failed',
      component: 'catalog',
      code: 'sse_unavailable',
      error: 'connect ECONNREFUSED',
    });
    expect(toRecentError(entry('1700000000000-1', 'x', { level: 60, msg: 'boom' }))).toMatchObject({
      level: 'fatal',
      time: new Date(1700000000000).toISOString(),
      msg: 'boom',
    });
    expect(toRecentError(entry('1-0', 'x', { level: 50, time: 0, msg: 'e' }))?.level).toBe('error');
  });

  it('ignores lower levels and lines that are not JSON', () => {
    for (const level of ['info', 'warn', 'debug', 40, 30]) {
      expect(toRecentError(entry('1-0', 'x', { level, msg: 'm' }))).toBeUndefined();
    }
    expect(toRecentError({ id: '1-0', service: 'x', line: '{"level":"error",' })).toBeUndefined();
  });

  it('keeps the newest N, remembers the last id read even when nothing matched, and clips long text', () => {
    const r = new RecentErrors(2);
    r.add([
      entry('1-0', 'a', { level: 'error', msg: 'one' }),
      entry('2-0', 'a', { level: 'info', msg: 'fine' }),
      entry('3-0', 'b', { level: 'error', msg: 'x'.repeat(900) }),
      entry('4-0', 'c', { level: 'fatal', msg: 'three' }),
    ]);
    expect(r.list().map((e) => e.logId)).toEqual(['3-0', '4-0']);
    expect(r.list()[0]?.msg).toHaveLength(501);
    expect(r.lastId).toBe('4-0');
    r.add([], '9-0');
    expect(r.lastId).toBe('9-0');
    const none = new RecentErrors(0);
    none.add([entry('1-0', 'a', { level: 'error', msg: 'one' })]);
    expect(none.list()).toEqual([]);
  });
});

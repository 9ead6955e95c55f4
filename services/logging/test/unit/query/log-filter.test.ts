import { LEVELS, matchLine, parseLogFilter, QueryError } from '../../../src/query/log-filter';

const now = Date.parse('2026-05-01T12:00:00.000Z');

describe('parseLogFilter', () => {
  it('reads every parameter', () => {
    const f = parseLogFilter(
      {
        service: 'update, connector',
        level: 'warn',
        since: '15m',
        until: '2026-05-01T11:59:00Z',
        q: 'Tunnel',
        limit: 20,
      },
      now,
    );
    expect(f).toEqual({
      services: new Set(['update', 'connector']),
      minLevel: LEVELS.warn,
      since: now - 15 * 60_000,
      until: Date.parse('2026-05-01T11:59:00Z'),
      text: 'tunnel',
      limit: 20,
    });
    expect(parseLogFilter({}, now)).toEqual({ limit: 100 });
  });

  it.each([
    [{ service: '../etc' }, /^service: not a service name/],
    [{ since: 'yesterday' }, /^since: must be an ISO 8601 time or a duration/],
    [{ since: '1m', until: '2h' }, /^since: must not be after until/],
    [{ until: 'later' }, /^until: must be an ISO 8601 time/],
  ])('refuses %j naming the parameter', (query, message) => {
    expect(() => parseLogFilter(query, now)).toThrow(QueryError);
    expect(() => parseLogFilter(query, now)).toThrow(message);
  });
});

describe('matchLine', () => {
  const line = JSON.stringify({
    logId: '1-0',
    level: 'warn',
    time: '2026-05-01T11:50:00.000Z',
    service: 'connector',
    msg: 'Tunnel A down',
  });

  it('matches on service, level, time and text', () => {
    expect(matchLine({}, 'connector', line)).toMatchObject({ msg: 'Tunnel A down' });
    expect(matchLine({ services: new Set(['update']) }, 'connector', line)).toBeUndefined();
    expect(matchLine({ minLevel: LEVELS.warn }, 'connector', line)).toBeDefined();
    expect(matchLine({ minLevel: LEVELS.error }, 'connector', line)).toBeUndefined();
    expect(
      matchLine({ since: Date.parse('2026-05-01T11:55:00Z') }, 'connector', line),
    ).toBeUndefined();
    expect(
      matchLine({ until: Date.parse('2026-05-01T11:55:00Z') }, 'connector', line),
    ).toBeDefined();
    expect(matchLine({ text: 'tunnel a' }, 'connector', line)).toBeDefined();
    expect(matchLine({ text: 'tunnel b' }, 'connector', line)).toBeUndefined();
  });

  it('skips lines that are not JSON objects', () => {
    expect(matchLine({}, 'x', 'garbage')).toBeUndefined();
    expect(matchLine({}, 'x', '42')).toBeUndefined();
  });
});

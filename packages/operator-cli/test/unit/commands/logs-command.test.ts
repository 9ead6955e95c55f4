import { formatLogLine } from '../../../src/commands/log-lines';
import { runInProcess } from '../../support/run-in-process';
import { type StandIn, sendJson, standIn } from '../../support/stand-in-server';

const line = (i: number, extra: Record<string, unknown> = {}) => ({
  logId: `${i}-0`,
  time: `2026-03-01T12:00:0${i}.000Z`,
  level: 'info',
  service: 'connector',
  version: '1.4.0',
  pid: 7,
  hostname: 'edge',
  msg: `line ${i}`,
  ...extra,
});

describe('log lines', () => {
  it('shows time, service, level, message, then the other fields as key=value', () => {
    expect(
      formatLogLine(
        line(1, { level: 'warn', appId: 'wiki', err: { code: 'E' }, note: 'two words' }),
      ),
    ).toBe(
      '2026-03-01T12:00:01.000Z  connector    WARN   line 1 appId=wiki err={"code":"E"} note="two words"',
    );
    expect(formatLogLine({ msg: 'a\nb' })).toBe('-  -            -      a b');
  });
});

describe('logs (against a stand-in logging service)', () => {
  let svc: StandIn;
  let tailLines: string[] = [];
  let endTail = false;
  beforeAll(async () => {
    svc = await standIn((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/logs' && url.searchParams.get('since') === 'someday') {
        sendJson(res, 400, {
          error: { code: 'invalid_query', message: 'since: "someday" is not a time or a duration' },
        });
      } else if (url.pathname === '/logs' && url.searchParams.get('service') === 'broken') {
        sendJson(res, 200, { count: 1, truncated: false, entries: 'nope' });
      } else if (url.pathname === '/logs') {
        sendJson(res, 200, {
          count: 2,
          truncated: true,
          entries: [line(1), line(2, { level: 'error' })],
        });
      } else if (url.pathname === '/logs/tail') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        // Written in pieces that split a line, as a network may.
        const text = tailLines.map((l) => `${l}\n`).join('');
        res.write(text.slice(0, 10));
        setTimeout(() => res.write(text.slice(10)), 20);
        if (endTail) setTimeout(() => res.end(), 40);
      } else {
        sendJson(res, 404, {});
      }
    });
  });
  afterAll(() => svc.close());

  it('passes service, level and limit on, prints one line per entry and says when lines were left out', async () => {
    const r = await runInProcess(
      ['logs', '--service', 'connector,logging', '--level=warn', '-n', '50'],
      {
        PA_LOGGING_URL: svc.url,
      },
    );
    expect(r.code).toBe(0);
    expect(svc.requests.at(-1)).toBe('/logs?service=connector%2Clogging&level=warn&limit=50');
    expect(r.stdout.split('\n')).toEqual([
      '2026-03-01T12:00:01.000Z  connector    INFO   line 1',
      '2026-03-01T12:00:02.000Z  connector    ERROR  line 2',
    ]);
    expect(r.stderr).toContain('older lines left out');
  });

  it('an answer that breaks the contract: exit 69 naming the field', async () => {
    const r = await runInProcess(['logs', '--service', 'broken'], { PA_LOGGING_URL: svc.url });
    expect(r.code).toBe(69);
    expect(r.stderr).toBe('pa-operator: logging /logs answered a bad entries: Expected array');
  });

  it('--json prints the stored lines as NDJSON', async () => {
    const r = await runInProcess(['logs', '--json'], { PA_LOGGING_URL: svc.url });
    expect(r.stdout.split('\n').map((l) => JSON.parse(l).logId)).toEqual(['1-0', '2-0']);
  });

  it('-f follows the tail until stopped (exit 0); a line that is no log entry shows as it came', async () => {
    tailLines = [JSON.stringify(line(3)), JSON.stringify(line(4)), 'not json', '[1,2]'];
    const stop = new AbortController();
    const done = runInProcess(
      ['logs', '-f', '--service', 'connector'],
      { PA_LOGGING_URL: svc.url },
      { signal: stop.signal },
    );
    await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    const r = await done;
    expect(r.code).toBe(0);
    expect(svc.requests.at(-1)).toBe('/logs/tail?service=connector&backlog=20');
    expect(r.stdout.split('\n')).toEqual([
      '2026-03-01T12:00:03.000Z  connector    INFO   line 3',
      '2026-03-01T12:00:04.000Z  connector    INFO   line 4',
      'not json',
      '[1,2]',
    ]);
  });

  it('-f: a tail the service ends is reported (exit 69)', async () => {
    tailLines = [JSON.stringify(line(5))];
    endTail = true;
    const r = await runInProcess(['logs', '-f', '--json'], { PA_LOGGING_URL: svc.url });
    endTail = false;
    expect(r.stdout).toBe(JSON.stringify(line(5)));
    expect(r.code).toBe(69);
    expect(r.stderr).toBe(
      `pa-operator: logging at ${svc.url}/logs/tail ended the tail (the service stopped?)`,
    );
  });

  it.each([
    [
      ['logs', '--level', 'loud'],
      '--level must be one of trace, debug, info, warn, error, fatal, got "loud"',
    ],
    [['logs', '--service', 'Bad Name'], '--service: "Bad Name" is not a service name'],
    [['logs', '--limit', '0'], '--limit must be a whole number from 1 to 10000'],
    [['logs', '-f', '--limit', '1001'], '--limit must be a whole number from 0 to 1000 with -f'],
    [['logs', '-f', '--since', '1h'], '--since applies to past lines only'],
    [['logs', '--limit', 'x'], '--limit must be a whole number, got "x"'],
  ])('%j is a usage error (exit 64)', async (argv, message) => {
    const r = await runInProcess(argv, { PA_LOGGING_URL: svc.url });
    expect(r.code).toBe(64);
    expect(r.stderr.split('\n')[0]).toContain(message);
  });
});

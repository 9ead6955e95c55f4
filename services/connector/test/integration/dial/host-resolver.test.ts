import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { systemClock } from '../../../src/clock';
import { HostResolver } from '../../../src/dial/host-resolver';
import { lookupVia } from '../../../src/dial/lookup';
import { createHttpUpdateSender } from '../../../src/health/update-sender';
import { scratch } from '../../support/connector';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server';

describe('HostResolver (a real UDP DNS server on loopback)', () => {
  const servers: TestDnsServer[] = [];
  const tmp = scratch();
  afterAll(async () => {
    for (const s of servers) await s.close();
    tmp.cleanup();
  });
  const dns = async (answer: Parameters<typeof startDnsServer>[0]) => {
    const s = await startDnsServer(answer);
    servers.push(s);
    return s;
  };
  const hosts = tmp.file(
    'hosts',
    '127.0.0.1 localhost\n10.1.2.3 files.lan # a comment\nfd00::7 files.lan\n',
  );

  it('answers A and AAAA from DNS, IPv4 first', async () => {
    const s = await dns((_n, t) => (t === 'A' ? ['10.0.0.5'] : ['fd00::5']));
    const r = new HostResolver({
      clock: systemClock,
      deadlineMs: 2_000,
      servers: [s.server],
      hostsPath: hosts,
    });
    expect(await r.resolveAll('App.Example')).toEqual([
      { address: '10.0.0.5', family: 4 },
      { address: 'fd00::5', family: 6 },
    ]);
    expect(s.questions.sort()).toEqual(['A app.example', 'AAAA app.example']);
  });

  it('answers hosts-file names and localhost without asking DNS', async () => {
    const s = await dns(() => ['10.9.9.9']);
    const r = new HostResolver({
      clock: systemClock,
      deadlineMs: 2_000,
      servers: [s.server],
      hostsPath: hosts,
    });
    expect(await r.resolveAll('FILES.lan')).toEqual([
      { address: '10.1.2.3', family: 4 },
      { address: 'fd00::7', family: 6 },
    ]);
    expect((await r.resolveAll('db.localhost')).map((a) => a.address)).toEqual([
      '127.0.0.1',
      '::1',
    ]);
    expect(s.questions).toEqual([]);
  });

  it('names a name DNS does not know (not retryable)', async () => {
    const s = await dns(() => []);
    const r = new HostResolver({
      clock: systemClock,
      deadlineMs: 2_000,
      servers: [s.server],
      hostsPath: hosts,
    });
    await expect(r.resolveAll('nowhere.example')).rejects.toMatchObject({
      code: 'dns_not_found',
      retryable: false,
      message: expect.stringContaining('nowhere.example'),
    });
  });

  it('fails within its deadline when DNS never answers, and file writes are not held up meanwhile', async () => {
    const s = await dns(() => 'drop');
    const r = new HostResolver({
      clock: systemClock,
      deadlineMs: 800,
      servers: [s.server],
      hostsPath: hosts,
    });
    const started = performance.now();
    // More lookups than libuv has pool threads: with getaddrinfo these would queue file I/O.
    const pending = Array.from({ length: 16 }, (_, i) =>
      r.resolveAll(`app${i}.dead.example`).then(
        () => ({ ok: true, ms: performance.now() - started, code: '' }),
        (e: { code: string }) => ({ ok: false, ms: performance.now() - started, code: e.code }),
      ),
    );
    const w0 = performance.now();
    for (let i = 0; i < 20; i++) await writeFile(tmp.file(`w${i}`, ''), `line ${i}\n`);
    const writesMs = performance.now() - w0;
    const results = await Promise.all(pending);
    const slowest = Math.max(...results.map((x) => x.ms));
    console.log(
      `16 lookups to a silent DNS failed after at most ${slowest.toFixed(0)} ms (deadline 800 ms); ` +
        `20 file writes meanwhile took ${writesMs.toFixed(1)} ms`,
    );
    expect(results.every((x) => !x.ok && x.code === 'dns_timeout')).toBe(true);
    expect(slowest).toBeGreaterThanOrEqual(700);
    expect(slowest).toBeLessThan(3_000);
    expect(writesMs).toBeLessThan(700);
    expect(s.questions.length).toBeGreaterThan(0);
  });

  it('reads a changed hosts file again', async () => {
    const path = tmp.file('hosts2', '10.0.0.1 moving.lan\n');
    let now = 0;
    const clock = { now: () => now, setTimer: systemClock.setTimer };
    const r = new HostResolver({
      clock,
      deadlineMs: 500,
      servers: ['127.0.0.1:9'],
      hostsPath: path,
    });
    expect((await r.resolveAll('moving.lan'))[0]?.address).toBe('10.0.0.1');
    await writeFile(path, '10.0.0.2 moving.lan\n');
    now += 60_000;
    expect((await r.resolveAll('moving.lan'))[0]?.address).toBe('10.0.0.2');
  });

  it('health updates reach a control URL by name through the resolver (lookupVia)', async () => {
    const s = await dns((n, t) => (t === 'A' && n === 'gw-control.lan' ? ['127.0.0.1'] : []));
    const r = new HostResolver({
      clock: systemClock,
      deadlineMs: 2_000,
      servers: [s.server],
      hostsPath: hosts,
    });
    const got: string[] = [];
    const gw = createServer((req, res) => {
      got.push(`${req.method} ${req.url} ${req.headers.host}`);
      res.writeHead(202).end();
    });
    await new Promise<void>((ok) => gw.listen(0, '127.0.0.1', ok));
    const port = (gw.address() as { port: number }).port;
    try {
      const send = createHttpUpdateSender(lookupVia(r));
      const update = {
        connectorId: 'c',
        tunnel: 't1',
        proxyPort: 3128,
        apps: [],
      } as unknown as Parameters<typeof send>[1];
      const ok = await send(
        { controlUrl: `http://gw-control.lan:${port}`, localAddress: '127.0.0.1' },
        update,
        3_000,
      );
      expect(ok).toEqual({ outcome: 'ok', status: 202 });
      expect(got).toEqual([`POST /health gw-control.lan:${port}`]);
      expect(s.questions).toContain('A gw-control.lan');
      const bad = await send(
        { controlUrl: `http://missing.lan:${port}`, localAddress: '127.0.0.1' },
        update,
        3_000,
      );
      expect(bad).toMatchObject({
        outcome: 'network_error',
        error: expect.stringContaining('dns_not_found'),
      });
    } finally {
      gw.close();
    }
  });
});

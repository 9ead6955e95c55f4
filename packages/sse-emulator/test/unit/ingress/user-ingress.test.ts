import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@pa-connector/test-support';
import type { ReceivedHealth } from '../../../src/gateways';
import { type GatewayTunnels, UserIngress } from '../../../src/ingress';
import type { ConnectorRecord, GroupRecord } from '../../../src/state/model';
import { capturedLogger } from '../../support/log-capture';

type RelayMode = 'ok' | 'err' | 'refuse-403' | 'refuse-draining' | 'flood' | 'hang';

/** Bytes the 'flood' relay has handed to the ingress so far. */
const flood = { written: 0 };
const FLOOD_LIMIT = 512 * 1024 * 1024;

/**
 * A stand-in for a gateway helper's relay (a unix socket) and, behind it, a connector proxy:
 * 'ok' answers OK, then 200 to the CONNECT and echoes upper-cased until EOF; 'err' refuses the
 * dial; 'refuse-403' lets the dial through and the proxy answers 403; 'refuse-draining' answers
 * 503 naming the reason `draining` as a draining connector does; 'flood' answers 200 and then
 * writes as fast as the ingress takes it (up to 512 MiB); 'hang' never answers the dial (a
 * connector whose packets are dropped).
 */
async function fakeRelay(path: string, mode: RelayMode, seen: string[]): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (s: Socket) => {
    let buf = '';
    let stage: 'line' | 'connect' | 'pipe' = 'line';
    s.on('data', (c: Buffer) => {
      if (stage === 'pipe') {
        s.write(c.toString('utf8').toUpperCase());
        return;
      }
      buf += c.toString('utf8');
      if (stage === 'line' && buf.includes('\n')) {
        const [line, rest] = [buf.slice(0, buf.indexOf('\n')), buf.slice(buf.indexOf('\n') + 1)];
        seen.push(line);
        if (mode === 'hang') {
          stage = 'pipe';
          return;
        }
        if (mode === 'err') {
          s.end('ERR connect_failed connect to x: ECONNREFUSED\n');
          return;
        }
        s.write('OK\n');
        stage = 'connect';
        buf = rest;
      }
      if (stage === 'connect' && buf.includes('\r\n\r\n')) {
        seen.push(buf.slice(0, buf.indexOf('\r\n')));
        const rest = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        if (mode === 'refuse-403') {
          s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 10\r\n\r\nforbidden\n');
          return;
        }
        if (mode === 'refuse-draining') {
          s.end(
            'HTTP/1.1 503 Service Unavailable\r\nX-PA-Refusal: draining\r\nContent-Length: 9\r\n\r\ndraining\n',
          );
          return;
        }
        s.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        stage = 'pipe';
        if (mode === 'flood') {
          const chunk = Buffer.alloc(1024 * 1024, 1);
          const pump = () => {
            while (flood.written < FLOOD_LIMIT && !s.destroyed) {
              flood.written += chunk.length;
              if (!s.write(chunk)) {
                s.once('drain', pump);
                return;
              }
            }
          };
          pump();
        }
        if (rest) s.write(rest.toUpperCase());
      }
    });
    s.on('end', () => s.end('<eof>'));
    s.on('error', () => s.destroy());
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

function health(connectorId: string, state = 'up', receivedAt = new Date(0)): ReceivedHealth {
  return {
    connectorId,
    tunnel: 't',
    remoteAddress: '10.231.1.2',
    addressMatches: true,
    receivedAt: receivedAt.toISOString(),
    body: { connectorId, sentAt: '', proxyPort: 8080, apps: [{ id: 'web', state }] },
  };
}

/** Sends `request`, then `payload`, half-closes, and reads until the ingress closes. */
function exchange(port: number, request: string, payload = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let out = '';
    s.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    s.on('error', reject);
    s.on('end', () => s.end());
    s.on('close', () => resolve(out));
    s.write(request + payload);
    if (payload) s.end();
  });
}

describe('UserIngress against fake relays', () => {
  let dir: string;
  let ingress: UserIngress;
  let port: number;
  const servers: Server[] = [];
  const seen: Record<string, string[]> = { gw1: [], gw2: [] };
  let gateways: GatewayTunnels[] = [];
  const groups: GroupRecord[] = [
    {
      id: 'grp_a',
      name: 'a',
      customerId: 'cus_1',
      region: 'local',
      catalogVersion: 1,
      createdAt: '',
      apps: [{ id: 'web', host: 'web.corp', port: 80 }],
    },
  ];
  const captured = capturedLogger();
  const clock = new FakeClock(1000);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pa-ingress-unit-'));
    ingress = new UserIngress({
      state: {
        groupCatalogs: () => groups,
        listConnectors: () =>
          [
            { id: 'con_1', groupId: 'grp_a' },
            { id: 'con_2', groupId: 'grp_a' },
          ] as ConnectorRecord[],
      },
      tunnels: () => gateways,
      staleSeconds: 15,
      clock: clock.dateClock,
      logger: captured.logger,
    });
    port = Number(new URL(await ingress.listen('127.0.0.1', 0)).port);
  });

  afterAll(async () => {
    await ingress.close();
    for (const s of servers) s.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function setup(modes: [RelayMode, RelayMode]): Promise<void> {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
    // A new scenario: connectors that failed in the last one are no longer suspect.
    await clock.advance(60_000);
    gateways = [];
    for (const [i, name] of (['gw1', 'gw2'] as const).entries()) {
      const path = join(dir, `${name}-${Math.random().toString(16).slice(2)}.sock`);
      servers.push(await fakeRelay(path, modes[i] as RelayMode, seen[name] as string[]));
      gateways.push({
        gateway: name,
        running: true,
        relayPath: path,
        health: [health(`con_${i + 1}`, 'up', clock.dateClock.now())],
      });
    }
  }

  it('forwards bytes sent before the 200 and half-closes both ways', async () => {
    await setup(['ok', 'ok']);
    const out = await exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\nearly ', 'late');
    expect(out).toBe(
      'HTTP/1.1 200 Connection Established\r\nX-PA-Gateway: gw1\r\nX-PA-Tunnel: t\r\n\r\nEARLY LATE<eof>',
    );
    expect(seen.gw1?.slice(-2)).toEqual(['10.231.1.2 8080', 'CONNECT web.corp:80 HTTP/1.1']);
  });

  it('fails over to the other tunnel once, then answers 503 naming both failures', async () => {
    await setup(['err', 'ok']);
    const answers = [
      await exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\n', 'x'),
      await exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\n', 'y'),
    ];
    // Both carried over gw2, the one that answered, and the answer says so.
    expect(answers).toEqual([
      'HTTP/1.1 200 Connection Established\r\nX-PA-Gateway: gw2\r\nX-PA-Tunnel: t\r\n\r\nX<eof>',
      'HTTP/1.1 200 Connection Established\r\nX-PA-Gateway: gw2\r\nX-PA-Tunnel: t\r\n\r\nY<eof>',
    ]);
    expect(ingress.stats.totals.failovers).toBeGreaterThanOrEqual(1);

    await setup(['err', 'err']);
    const out = await exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(out).toContain('no tunnel reachable for web.corp:80: gw');
    expect(out.match(/ECONNREFUSED/g)).toHaveLength(2);
    expect(out).not.toContain('X-PA-Gateway');
    expect(captured.text()).toContain('ingress: tunnel connect failed; trying the next one');
  });

  it("passes the connector's refusal through without failing over, naming the gateway", async () => {
    await setup(['refuse-403', 'refuse-403']);
    const before = ingress.stats.totals.failovers;
    const out = await exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\n');
    expect(out).toMatch(
      /^HTTP\/1\.1 403 Forbidden\r\nX-PA-Gateway: gw[12]\r\nX-PA-Tunnel: t\r\nContent-Length: 10\r\n\r\nforbidden\n$/,
    );
    expect(ingress.stats.totals.failovers).toBe(before);
  });

  it('tries the next connector when one refuses because it drains, and says so when all do', async () => {
    await setup(['refuse-draining', 'ok']);
    const answers = [
      await exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\n', 'x'),
      await exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\n', 'y'),
    ];
    // Neither user sees the draining connector's 503: both are carried by the other one.
    expect(answers).toEqual([
      'HTTP/1.1 200 Connection Established\r\nX-PA-Gateway: gw2\r\nX-PA-Tunnel: t\r\n\r\nX<eof>',
      'HTTP/1.1 200 Connection Established\r\nX-PA-Gateway: gw2\r\nX-PA-Tunnel: t\r\n\r\nY<eof>',
    ]);
    expect(captured.text()).toContain(
      'ingress: the connector takes no new streams; trying the next one',
    );

    await setup(['refuse-draining', 'refuse-draining']);
    const out = await exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(out.match(/the connector refused \(draining\)/g)).toHaveLength(2);
  });

  it('answers 503 when the gateways are down, 404 for an unknown app, 431 for a huge head', async () => {
    await setup(['ok', 'ok']);
    gateways = gateways.map((g) => ({ ...g, running: false }));
    expect(await exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\n')).toContain(
      'no tunnel can reach web.corp:80: 2 on a gateway that is down',
    );
    expect(await exchange(port, 'CONNECT other.corp:80 HTTP/1.1\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 404 /,
    );
    const huge = `CONNECT web.corp:80 HTTP/1.1\r\nX: ${'a'.repeat(10_000)}\r\n\r\n`;
    expect(await exchange(port, huge)).toMatch(/^HTTP\/1\.1 431 /);
  });

  it("resets the users' connections relayed through a gateway that is gone, and only those", async () => {
    await setup(['ok', 'ok']);
    const open = async () => {
      const user = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      const ended = new Promise<string>((resolve) => {
        user.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        user.on('end', () => resolve('end'));
      });
      user.write('CONNECT web.corp:80 HTTP/1.1\r\n\r\n');
      await new Promise<void>((resolve) => user.once('data', () => resolve()));
      return { user, ended };
    };
    // Round-robin: one connection through each gateway.
    const [a, b] = [await open(), await open()];
    expect(seen.gw1?.at(-1)).toBe('CONNECT web.corp:80 HTTP/1.1');
    expect(seen.gw2?.at(-1)).toBe('CONNECT web.corp:80 HTTP/1.1');
    const gone = ingress.gatewayGone('gw1') + ingress.gatewayGone('gw1');
    const through = [a, b];
    const first = await Promise.race([
      ...through.map((t, i) => t.ended.then((how) => ({ i, how }))),
    ]);
    expect({ gone, first }).toEqual({
      gone: 1,
      first: expect.objectContaining({ how: 'ECONNRESET' }),
    });
    // The other one still works.
    const other = through[1 - first.i] as (typeof through)[number];
    other.user.write('ping');
    const echoed = await new Promise<string>((resolve) =>
      other.user.once('data', (c: Buffer) => resolve(c.toString('utf8'))),
    );
    expect(echoed).toBe('PING');
    expect(captured.text()).toContain("ingress: gateway gone; its users' connections reset");
    for (const t of through) t.user.destroy();
  });

  it('respects backpressure: a user who does not read stops the flow from the tunnel', async () => {
    await setup(['flood', 'flood']);
    flood.written = 0;
    const user = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    user.write('CONNECT web.corp:80 HTTP/1.1\r\n\r\n');
    await new Promise<void>((resolve) => user.once('data', () => resolve()));
    user.pause();
    // Wait until the relay side cannot hand over any more (unchanged over 5 polls).
    let last = -1;
    let same = 0;
    while (same < 5) {
      await new Promise((r) => setTimeout(r, 100));
      same = flood.written === last ? same + 1 : 0;
      last = flood.written;
    }
    console.log(
      `backpressure: ${(last / 1024 / 1024).toFixed(0)} MiB in flight with a user that does not read`,
    );
    expect(last).toBeLessThan(64 * 1024 * 1024);
    user.destroy();
  });
});

describe('UserIngress across several connectors', () => {
  let dir: string;
  let ingress: UserIngress;
  let port: number;
  const servers: Server[] = [];
  let gateways: GatewayTunnels[] = [];
  const clock = new FakeClock(100_000);
  const captured = capturedLogger();
  const catalogs = [{ id: 'grp_a', apps: [{ id: 'web', host: 'web.corp', port: 80 }] }];
  const connectors = ['con_1', 'con_2', 'con_3'].map((id) => ({ id, groupId: 'grp_a' }));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pa-ingress-unit-'));
    ingress = new UserIngress({
      state: {
        groupCatalogs: () => catalogs,
        listConnectors: () => connectors as ConnectorRecord[],
      },
      tunnels: () => gateways,
      staleSeconds: 15,
      clock: clock.dateClock,
      logger: captured.logger,
      connectTimeoutMs: 300,
      suspectMs: 5_000,
    });
    port = Number(new URL(await ingress.listen('127.0.0.1', 0)).port);
  });

  afterAll(async () => {
    await ingress.close();
    for (const s of servers) s.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** One gateway per connector, each with its own relay mode. */
  async function setup(modes: RelayMode[], draining: boolean[] = []): Promise<void> {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
    gateways = [];
    for (const [i, mode] of modes.entries()) {
      const path = join(dir, `gw${i + 1}-${Math.random().toString(16).slice(2)}.sock`);
      servers.push(await fakeRelay(path, mode, []));
      const h = health(`con_${i + 1}`, 'up', clock.dateClock.now());
      if (draining[i]) h.body.draining = true;
      gateways.push({ gateway: `gw${i + 1}`, running: true, relayPath: path, health: [h] });
    }
  }

  const request = () => exchange(port, 'CONNECT web.corp:80 HTTP/1.1\r\n\r\n', 'x');

  it('tries every connector, each connect bounded, and puts the failed ones last afterwards', async () => {
    await setup(['hang', 'err', 'ok']);
    const started = Date.now();
    const first = await request();
    expect(first).toContain('X-PA-Gateway: gw3');
    // At most one hung connect (300 ms) and one refused dial before gw3.
    expect(Date.now() - started).toBeLessThan(2_000);
    const counts = Object.fromEntries(ingress.stats.connectors().map((c) => [c.connectorId, c]));
    expect(counts.con_3).toMatchObject({ carried: 1, failed: 0 });
    expect((counts.con_1?.failed ?? 0) + (counts.con_2?.failed ?? 0)).toBeGreaterThanOrEqual(1);

    // Every later user goes to gw3 first while the others are suspect: no failover at all.
    const failovers = ingress.stats.totals.failovers;
    for (let i = 0; i < 3; i++) expect(await request()).toContain('X-PA-Gateway: gw3');
    expect(ingress.stats.totals.failovers).toBe(failovers);
    expect(captured.text()).toMatch(/no complete relay answer from gateway gw1 [^"]* within \d+ms/);
  });

  it('fails only when no connector can carry it, naming every attempt', async () => {
    await clock.advance(60_000);
    await setup(['err', 'hang', 'err']);
    const out = await request();
    expect(out).toMatch(/^HTTP\/1\.1 503 /);
    expect(out).toContain('gw1/con_1/t');
    expect(out).toContain('gw2/con_2/t');
    expect(out).toContain('gw3/con_3/t');
  });

  it('never picks a draining connector, says so in the 503 and logs who was skipped', async () => {
    await clock.advance(60_000);
    await setup(['ok', 'ok', 'ok'], [true, false, true]);
    for (let i = 0; i < 3; i++) expect(await request()).toContain('X-PA-Gateway: gw2');
    expect(captured.text()).toContain('ingress: tunnels passed over for the app');
    expect(captured.text()).toMatch(/"connectorId":"con_1","reason":"draining"/);
    await setup(['ok', 'ok', 'ok'], [true, true, true]);
    expect(await request()).toContain('no tunnel can reach web.corp:80: 3 draining');
  });
});

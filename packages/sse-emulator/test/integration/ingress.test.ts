import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RegisterResponse } from '@pa-connector/sse-api';
import {
  CONNECT_PROXY_PATH,
  COUNTING_APP_PATH,
  requireBinary,
  requireRoot,
  stopAll,
  Topology,
  waitFor,
} from '@pa-connector/test-support';
import { regionConfig } from '../../src';
import { type CommandedProcess, spawnCommanded, stopCommanded } from '../support/commanded-process';
import { startTestEmulator, type TestEmulator } from '../support/harness';
import { newIdentity } from '../support/identity';
import { throughIngress } from '../support/ingress-client';
import { startOpenvpnClient } from '../support/openvpn-client';

const pexec = promisify(execFile);

const WEB = 'web.corp:80';
const COUNT = 'count.corp:7000';
const NOWHERE = 'nowhere.corp:80';
const PROXY_PORT = 8080;
const GATEWAYS = ['local-gw1', 'local-gw2'] as const;

type AppReport = { id: string; state: string; servers: unknown[] };
const report = (state: string): AppReport[] =>
  ['web', 'count', 'nowhere'].map((id) => ({ id, state, servers: [] }));

/**
 * The user ingress end to end with real parts: two gateways (openvpn servers) in their own
 * namespaces, a "connector" namespace with two real openvpn clients and, on each tunnel address,
 * a small CONNECT test proxy that posts health updates with its proxyPort; a sample app in a
 * fourth namespace. Users connect to the ingress on loopback.
 */
describe('user ingress (real gateways, tunnels and a test proxy per tunnel)', () => {
  let topo: Topology;
  let t: TestEmulator;
  let reg: RegisterResponse;
  let ingressUrl: string;
  const proxies: CommandedProcess[] = [];

  beforeAll(async () => {
    requireRoot('it creates network namespaces and tun devices');
    requireBinary('openvpn', 'openvpn');
    requireBinary('curl', 'curl');
    topo = await Topology.create({ roles: ['gw1', 'gw2', 'connector', 'app'] });
    const regions = [
      regionConfig('local', [
        { host: topo.host('gw1').ipv4, port: 1194, protocol: 'udp', netns: topo.host('gw1').netns },
        { host: topo.host('gw2').ipv4, port: 1194, protocol: 'tcp', netns: topo.host('gw2').netns },
      ]),
    ];
    t = await startTestEmulator({ regions, gateways: true, ingressPort: 0 });
    ingressUrl = t.emu.ingressUrl as string;

    const appHost = topo.host('app').ipv4;
    const app = spawnCommanded('ip', [
      ...['netns', 'exec', topo.host('app').netns, process.execPath, COUNTING_APP_PATH],
      ...[appHost, '8080', '7000', 'app'],
    ]);
    await app.waitForLine(/"listening"/);

    const identity = newIdentity();
    const { key, groupId } = await t.admin.groupWithKey();
    const apps = [
      { id: 'web', host: 'web.corp', port: 80, servers: [{ host: appHost, port: 8080 }] },
      { id: 'count', host: 'count.corp', port: 7000, servers: [{ host: appHost, port: 7000 }] },
      { id: 'nowhere', host: 'nowhere.corp', port: 80, servers: [{ host: appHost, port: 9 }] },
    ].map((a) => ({ ...a, name: a.id, strategy: 'round-robin', healthCheck: { type: 'tcp' } }));
    expect((await t.admin.put(`/admin/groups/${groupId}/apps`, apps)).status).toBe(200);
    const res = await t.sse({
      path: '/v1/connectors/register',
      body: { provisioningKey: key, csr: identity.csr, hostname: 'host-1' },
    });
    expect(res.status).toBe(201);
    reg = res.json();

    for (const i of [0, 1]) {
      const client = startOpenvpnClient({
        reg,
        gatewayIndex: i,
        keyPem: identity.privateKeyPem,
        netns: topo.host('connector').netns,
        dir: join(t.dataDir, 'clients', `tunnel-${i + 1}`),
      });
      await client.waitForLine(/Initialization Sequence Completed/, 30_000);
      proxies[i] = await startProxy(i);
    }
    for (const i of [0, 1]) await freshHealth(i, (b) => b.proxyPort === PROXY_PORT);
  }, 90_000);

  afterAll(async () => {
    await stopCommanded();
    await stopAll();
    await t?.cleanup();
    await topo?.destroy();
  });

  async function startProxy(i: number): Promise<CommandedProcess> {
    const g = reg.gateways[i];
    const appHost = topo.host('app').ipv4;
    const cfg = {
      host: g?.tunnelAddress,
      port: PROXY_PORT,
      controlUrl: g?.controlUrl,
      connectorId: reg.connectorId,
      tunnel: `tunnel-${i + 1}`,
      routes: { [WEB]: `${appHost}:8080`, [COUNT]: `${appHost}:7000` },
      apps: report('up'),
      intervalMs: 300,
    };
    const p = spawnCommanded('ip', [
      ...['netns', 'exec', topo.host('connector').netns, process.execPath],
      ...[CONNECT_PROXY_PATH, JSON.stringify(cfg)],
    ]);
    await p.waitForLine(/"event":"listening"/);
    return p;
  }

  /**
   * Waits until gateway `i` holds an update of this connector received at the emulator's current
   * (fake) time — i.e. after the last clock advance — whose body satisfies `check`.
   */
  async function freshHealth(i: number, check: (body: Record<string, unknown>) => boolean) {
    return waitFor(
      `a fresh health update on ${GATEWAYS[i]}`,
      async () => {
        const v = (await t.admin.get(`/admin/gateways/${GATEWAYS[i]}`)).body;
        const h = v.health?.find(
          (x: { connectorId: string; receivedAt: string }) =>
            x.connectorId === reg.connectorId && Date.parse(x.receivedAt) >= t.clock.now(),
        );
        return h && check(h.body) ? h : undefined;
      },
      15_000,
    );
  }

  /** Connections carried so far, per gateway. */
  async function carried(): Promise<number[]> {
    const { body } = await t.admin.get('/admin/ingress');
    return GATEWAYS.map((g) =>
      body.tunnels
        .filter((x: { gateway: string }) => x.gateway === g)
        .reduce((n: number, x: { carried: number }) => n + x.carried, 0),
    );
  }

  /** Does `n` requests to the web app; returns which gateway carried each one. */
  async function webRequests(n: number): Promise<string[]> {
    const path: string[] = [];
    for (let k = 0; k < n; k++) {
      const before = await carried();
      const answer = await throughIngress(
        ingressUrl,
        WEB,
        'GET / HTTP/1.1\r\nHost: web.corp\r\nConnection: close\r\n\r\n',
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(/hello from app/);
      const after = await carried();
      const moved = GATEWAYS.filter((_, i) => (after[i] ?? 0) > (before[i] ?? 0));
      expect(moved).toHaveLength(1);
      path.push(moved[0] as string);
    }
    return path;
  }

  it('reaches the app through both gateways, alternating (round-robin seen in the counts)', async () => {
    const before = await carried();
    const path = await webRequests(6);
    console.log(`ingress round-robin: ${path.join(' -> ')}`);
    for (let k = 1; k < path.length; k++) expect(path[k]).not.toBe(path[k - 1]);
    const after = await carried();
    expect(after.map((n, i) => n - (before[i] ?? 0))).toEqual([3, 3]);

    const view = (await t.admin.get('/admin/gateways/local-gw1')).body;
    expect(view.ingress).toEqual([
      expect.objectContaining({
        gateway: 'local-gw1',
        connectorId: reg.connectorId,
        tunnel: 'tunnel-1',
        address: reg.gateways[0]?.tunnelAddress,
        proxyPort: PROXY_PORT,
        carried: after[0],
        active: 0,
      }),
    ]);
    const ingress = (await t.admin.get('/admin/ingress')).body;
    expect(ingress.url).toBe(ingressUrl);
    expect(ingress.tunnels).toHaveLength(2);
    expect(ingress.totals.connected).toBeGreaterThanOrEqual(6);
    // Per connector: its two tunnels summed.
    expect(ingress.connectors).toEqual([
      {
        connectorId: reg.connectorId,
        carried: ingress.tunnels.reduce((n: number, x: { carried: number }) => n + x.carried, 0),
        active: 0,
        refused: 0,
        failed: 0,
      },
    ]);
    expect(t.logs()).toMatch(
      /"app":"web.corp:80".*"tunnel":"local-gw\d\/con_[0-9a-f]+\/tunnel-\d".*"result":200/,
    );
  }, 60_000);

  it('works with curl as the user (curl -p -x <ingress> http://web.corp/)', async () => {
    const { stdout } = await pexec('curl', [
      ...['-sS', '--max-time', '10', '-p', '-x', ingressUrl, `http://${WEB}/`],
    ]);
    expect(stdout).toMatch(/^hello from app #\d+/);
  }, 30_000);

  it('carries 8 MiB up, half-closes, and still gets the answer sent after the EOF', async () => {
    const size = 8 * 1024 * 1024;
    const started = performance.now();
    const answer = await throughIngress(ingressUrl, COUNT, Buffer.alloc(size, 7), {
      halfClose: true,
      timeoutMs: 60_000,
    });
    const ms = performance.now() - started;
    const mbits = (size * 8) / 1e6 / (ms / 1000);
    console.log(
      `8 MiB up through ingress, relay, tunnel and test proxy: ${ms.toFixed(0)} ms (${mbits.toFixed(0)} Mbit/s)`,
    );
    expect(answer).toEqual({ status: 200, body: `bytes=${size}\n` });
  }, 90_000);

  it('answers 404 for an app in no catalog', async () => {
    const answer = await throughIngress(ingressUrl, 'unknown.corp:80', '');
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('no app unknown.corp:80 in any catalog');
  });

  it("passes the connector's refusal on to the user", async () => {
    // In the catalog, but the test proxy has no route for it and answers 403, as a connector
    // does for a target outside its catalog.
    const answer = await throughIngress(ingressUrl, NOWHERE, '');
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('Forbidden: nowhere.corp:80');
  });

  it('stops choosing a tunnel whose updates stop, once they are stale', async () => {
    proxies[0]?.send({ posting: false });
    const staleSeconds = (await t.admin.get('/admin/gateways/local-gw1')).body.healthStaleSeconds;
    await t.clock.advance((staleSeconds + 1) * 1000);
    await freshHealth(1, () => true);
    const gw1 = (await t.admin.get('/admin/gateways/local-gw1')).body;
    expect(
      gw1.health.find((h: { connectorId: string }) => h.connectorId === reg.connectorId),
    ).toMatchObject({ stale: true });

    expect(await webRequests(4)).toEqual(Array(4).fill('local-gw2'));

    proxies[0]?.send({ posting: true });
    await freshHealth(0, () => true);
    const path = await webRequests(2);
    expect(new Set(path)).toEqual(new Set(GATEWAYS));
  }, 60_000);

  it('answers 503 with the reason when every tunnel reports the app down', async () => {
    for (const p of proxies) p.send({ apps: report('down') });
    for (const i of [0, 1]) {
      await freshHealth(i, (b) => (b.apps as AppReport[])[0]?.state === 'down');
    }
    const answer = await throughIngress(ingressUrl, WEB, '');
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('no tunnel can reach web.corp:80: 2 reporting the app down');

    // Unhealthy (some servers down) still counts as reachable.
    proxies[1]?.send({ apps: report('unhealthy') });
    await freshHealth(1, (b) => (b.apps as AppReport[])[0]?.state === 'unhealthy');
    expect(await webRequests(2)).toEqual(['local-gw2', 'local-gw2']);

    for (const p of proxies) p.send({ apps: report('up') });
    for (const i of [0, 1]) await freshHealth(i, (b) => (b.apps as AppReport[])[0]?.state === 'up');
  }, 60_000);

  it('fails over to the next tunnel when the chosen one cannot be connected', async () => {
    // The proxy on tunnel 1 goes away; its last update is still fresh, so the ingress still
    // picks that tunnel every other time, fails to connect, and tries the other one.
    await proxies[0]?.stop();
    const failoversBefore = (await t.admin.get('/admin/ingress')).body.totals.failovers;
    const path = await webRequests(4);
    expect(path).toEqual(Array(4).fill('local-gw2'));
    const ingress = (await t.admin.get('/admin/ingress')).body;
    expect(ingress.totals.failovers - failoversBefore).toBe(2);
    const tunnel1 = ingress.tunnels.find((x: { gateway: string }) => x.gateway === 'local-gw1');
    expect(tunnel1.failed).toBeGreaterThanOrEqual(2);
    expect(t.logs()).toContain('ingress: tunnel connect failed; trying the next one');
    expect(t.logs()).toMatch(/connect to 10\.231\.\d+\.\d+:8080: ECONNREFUSED/);

    proxies[0] = await startProxy(0);
    await freshHealth(0, (b) => b.proxyPort === PROXY_PORT);
    expect(new Set(await webRequests(2))).toEqual(new Set(GATEWAYS));
  }, 60_000);

  it('refuses what is not a CONNECT (405) and a malformed target (400)', async () => {
    const get = await rawExchange(
      ingressUrl,
      'GET http://web.corp/ HTTP/1.1\r\nHost: web.corp\r\n\r\n',
    );
    expect(get).toMatch(/^HTTP\/1\.1 405 [^\r]*\r\n[\s\S]*only accepts CONNECT/);
    const bad = await rawExchange(ingressUrl, 'CONNECT web.corp HTTP/1.1\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 [\s\S]*<host>:<port>/);
  });

  it('the relay dials only connector addresses on its own tunnel network (no open relay)', async () => {
    const relay = join(t.dataDir, 'gateways', 'local-gw2', 'relay.sock');
    expect(statSync(relay).mode & 0o777).toBe(0o600);
    const own = reg.gateways[1]?.tunnelAddress as string;
    const gatewayItself = own.replace(/\.\d+$/, '.1');
    for (const dest of [`${topo.host('app').ipv4} 8080`, `${gatewayItself} 8900`, '127.0.0.1 22']) {
      expect(await rawExchange(relay, `${dest}\n`)).toMatch(
        /^ERR forbidden .* is not a connector address/,
      );
    }
    expect(await rawExchange(relay, 'web.corp 80\n')).toMatch(/^ERR bad_request/);
    const web = `CONNECT ${WEB} HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: web.corp\r\nConnection: close\r\n\r\n`;
    expect(await rawExchange(relay, `${own} ${PROXY_PORT}\n${web}`)).toMatch(
      /^OK\nHTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK[\s\S]*hello from app/,
    );
  });

  it('the control endpoint refuses a proxyPort outside 1-65535', async () => {
    const g = reg.gateways[0];
    for (const proxyPort of [0, 70000, 'x']) {
      const { stdout } = await pexec('ip', [
        ...['netns', 'exec', topo.host('connector').netns, 'curl', '-sS', '--max-time', '5'],
        ...['-H', 'content-type: application/json', '-XPOST', `${g?.controlUrl}/health`],
        '--data-binary',
        JSON.stringify({
          connectorId: reg.connectorId,
          sentAt: new Date().toISOString(),
          proxyPort,
          apps: [],
        }),
      ]);
      expect(JSON.parse(stdout)).toEqual({
        error: {
          code: 'invalid_request',
          message: expect.stringContaining('proxyPort must be an integer 1-65535'),
        },
      });
    }
  });

  it('sends the next request through the other gateway once one is killed', async () => {
    const killedAt = performance.now();
    const killed = await t.admin.post('/admin/gateways/local-gw1/kill');
    expect(killed.body.running).toBe(false);
    const before = await carried();
    const answer = await throughIngress(
      ingressUrl,
      WEB,
      'GET / HTTP/1.1\r\nHost: web.corp\r\nConnection: close\r\n\r\n',
    );
    const ms = performance.now() - killedAt;
    console.log(`gateway killed -> first request served through the other: ${ms.toFixed(0)} ms`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/hello from app/);
    const after = await carried();
    expect([(after[0] ?? 0) - (before[0] ?? 0), (after[1] ?? 0) - (before[1] ?? 0)]).toEqual([
      0, 1,
    ]);
    expect(await webRequests(3)).toEqual(Array(3).fill('local-gw2'));
  }, 60_000);
});

/**
 * Writes `data` to a TCP URL or a unix socket path and returns everything read until the far end
 * closes (its end is answered with ours), or what came within 3 s.
 */
function rawExchange(where: string, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = where.startsWith('http') ? new URL(where) : undefined;
    const s = url
      ? connect({ host: url.hostname, port: Number(url.port), allowHalfOpen: true })
      : connect({ path: where, allowHalfOpen: true });
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(out);
    }, 3_000);
    s.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    s.on('end', () => s.end());
    s.on('error', reject);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    s.write(data);
  });
}

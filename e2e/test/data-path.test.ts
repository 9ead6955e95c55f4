import { requireBinary, requireRoot } from '@pa-connector/test-support';
import {
  connectThrough,
  getOver,
  type IngressAnswer,
  type IngressStats,
  type Stack,
  startStack,
  waitUntil,
} from '../src/stack';

const HEADER_TIMEOUT_MS = 1_000;
const MAX_CONNECTIONS = 20;

/** Carried connections per tunnel key. */
const carried = (s: IngressStats) => Object.fromEntries(s.tunnels.map((t) => [t.key, t.carried]));
const delta = (before: IngressStats, after: IngressStats) => {
  const b = carried(before);
  return Object.fromEntries(Object.entries(carried(after)).map(([k, v]) => [k, v - (b[k] ?? 0)]));
};

async function requests(stack: Stack, n: number, app = stack.apps.web): Promise<IngressAnswer[]> {
  const out: IngressAnswer[] = [];
  for (let i = 0; i < n; i++) out.push(await stack.request('/', app));
  return out;
}

/**
 * The data path end to end on the stack: users' requests through the emulator's ingress, the
 * gateways' openvpn servers, the connector's two tunnels and its proxy, to the sample app servers.
 */
describe('data path (ingress → gateway → tunnel → connector proxy → app)', () => {
  let stack: Stack;

  beforeAll(async () => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    requireBinary('redis-cli', 'redis-tools');
    stack = await startStack({
      // Short enough for a test to see the header timeout and the connection limit.
      connectorEnv: {
        PA_PROXY_HEADER_TIMEOUT: `${HEADER_TIMEOUT_MS}ms`,
        PA_PROXY_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      },
      progress: (l) => process.stdout.write(`stack: ${l}\n`),
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('requests reach the app through both tunnels, round-robin over tunnels and servers', async () => {
    const before = await stack.ingressStats();
    const answers = await requests(stack, 8);
    const after = await stack.ingressStats();
    const perTunnel = delta(before, after);
    const servers = answers.map((a) => a.server);
    process.stdout.write(
      `8 requests: per tunnel ${JSON.stringify(perTunnel)}, servers ${servers.join(' ')}\n`,
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(Object.keys(perTunnel)).toHaveLength(2);
    for (const n of Object.values(perTunnel)) expect(n).toBe(4);
    expect(servers.filter((s) => s === 'app1')).toHaveLength(4);
    expect(servers.filter((s) => s === 'app2')).toHaveLength(4);
  });

  it('an app server on an IPv6 address is probed and reached', async () => {
    const app = stack.apps.web6;
    await stack.waitForApp(app, 'up', 2);
    const health = await stack.appHealth(app);
    expect(health).toMatchObject({
      appId: 'web6',
      status: 'up',
      servers: [{ server: `[${app.servers[0]?.host}]:8080`, up: true }],
    });
    const answer = await stack.request('/', app);
    expect(answer).toMatchObject({ connectStatus: 200, status: 200, server: 'app1' });
  });

  it('CONNECT outside the catalog, to Redis on loopback and to the metadata address is refused with 403', async () => {
    const gw = stack.gateways[0] as string;
    const allowed = await stack.connectFromGateway(gw, stack.apps.web.address);
    expect(allowed.status).toBe(200);
    for (const target of ['nowhere.demo.internal:80', '127.0.0.1:6379', '169.254.169.254:80']) {
      const answer = await stack.connectFromGateway(gw, target);
      process.stdout.write(`CONNECT ${target} from ${gw}: ${answer.line} ${answer.body ?? ''}\n`);
      expect({ target, status: answer.status }).toEqual({ target, status: 403 });
    }
  });

  it('with one of two app servers down the app is Unhealthy and every request goes to the healthy one', async () => {
    const app = stack.apps.web;
    const stoppedAt = performance.now();
    await stack.stopAppServer(2);
    try {
      const unhealthy = await waitUntil(
        'web Unhealthy in Redis',
        async () => {
          const h = await stack.appHealth(app);
          return h?.status === 'unhealthy' ? h : undefined;
        },
        30_000,
      );
      process.stdout.write(
        `app server app2 stopped -> web unhealthy in Redis after ${((performance.now() - stoppedAt) / 1000).toFixed(2)} s\n`,
      );
      expect(unhealthy.servers.map((s) => [s.server, s.up])).toEqual([
        [`${app.servers[0]?.host}:8080`, true],
        [`${app.servers[1]?.host}:8080`, false],
      ]);
      await stack.waitForApp(app, 'unhealthy', 2);
      const answers = await requests(stack, 10);
      expect(answers.map((a) => [a.status, a.server])).toEqual(Array(10).fill([200, 'app1']));
    } finally {
      await stack.startAppServer(2);
    }
    await waitUntil(
      'web up again',
      async () => ((await stack.appHealth(app))?.status === 'up' ? true : undefined),
      30_000,
    );
    await stack.waitForApp(app, 'up', 2);
  });

  it('a killed gateway: new requests succeed through the other tunnel (time measured)', async () => {
    await stack.waitForTunnels(2);
    await stack.waitForApp(stack.apps.web, 'up', 2);
    const [dead, alive] = stack.gateways as [string, string];
    const before = await stack.ingressStats();
    const killedAt = performance.now();
    await stack.killGateway(dead);
    const results: Array<{ atMs: number; ok: boolean; why?: string }> = [];
    while (performance.now() - killedAt < 3_000) {
      const a = await stack.request('/').catch((err: Error) => ({
        connectStatus: 0,
        refusal: err.message,
        ms: 0,
      }));
      results.push({
        atMs: performance.now() - killedAt,
        ok: a.connectStatus === 200 && 'status' in a && a.status === 200,
        ...(a.refusal ? { why: a.refusal } : {}),
      });
    }
    const after = await stack.ingressStats();
    const firstOk = results.find((r) => r.ok);
    const failed = results.filter((r) => !r.ok);
    const perTunnel = delta(before, after);
    process.stdout.write(
      `gateway ${dead} killed: first request served ${firstOk?.atMs.toFixed(1)} ms after the kill; ` +
        `${results.length} requests in 3 s, ${failed.length} failed; per tunnel ${JSON.stringify(perTunnel)}\n`,
    );
    expect(firstOk).toBeDefined();
    // Generous bound (the requirement is 1 s; the figure is printed above).
    expect(firstOk?.atMs).toBeLessThan(5_000);
    expect(failed).toEqual([]);
    for (const [key, n] of Object.entries(perTunnel)) {
      if (key.startsWith(`${dead}/`)) expect({ key, n }).toEqual({ key, n: 0 });
      if (key.startsWith(`${alive}/`)) expect(n).toBe(results.length);
    }
    await stack.startGateway(dead);
    await stack.waitForTunnels(2);
    await stack.waitForApp(stack.apps.web, 'up', 2);
  });

  it('a slowloris client is cut at the header timeout while others are served', async () => {
    const gw = stack.gateways[0] as string;
    const slow = stack.connectFromGateway(gw, stack.apps.web.address, true);
    const others = await requests(stack, 5);
    const cut = await slow;
    process.stdout.write(
      `slowloris (a header line every 200 ms): ${cut.line ?? cut.error} after ${cut.ms.toFixed(0)} ms (header timeout ${HEADER_TIMEOUT_MS} ms); ` +
        `meanwhile ${others.length} requests served in ${others.map((a) => a.ms.toFixed(0)).join('/')} ms\n`,
    );
    expect(cut.status).toBe(408);
    expect(cut.ms).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 50);
    expect(cut.ms).toBeLessThan(HEADER_TIMEOUT_MS + 4_000);
    expect(others.map((a) => a.status)).toEqual(Array(5).fill(200));
  });

  it('a flood beyond the connection limit is refused without hurting established connections', async () => {
    const app = stack.apps.web;
    const ingress = new URL(stack.emulator.ingressUrl);
    const open = () => connectThrough(ingress.hostname, Number(ingress.port), app.address);
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, open));
    try {
      expect(held.map((c) => c.status)).toEqual(Array(MAX_CONNECTIONS).fill(200));
      const flood = await Promise.all(Array.from({ length: 10 }, open));
      for (const c of flood) c.socket.destroy();
      process.stdout.write(
        `${MAX_CONNECTIONS} connections held, 10 more: ${flood.map((c) => c.text.split(' ').slice(0, 3).join(' ')).join(', ')}\n`,
      );
      expect(flood.map((c) => c.status)).toEqual(Array(10).fill(503));
      const answers = await Promise.all(held.map((c) => getOver(c.socket, app.host, '/')));
      expect(answers.map((a) => a.status)).toEqual(Array(MAX_CONNECTIONS).fill(200));
    } finally {
      for (const c of held) c.socket.destroy();
    }
    // The limit frees up again once the held connections are gone.
    await waitUntil(
      'a new request served after the flood',
      async () => ((await stack.request('/')).status === 200 ? true : undefined),
      10_000,
    );
  });

  it('SIGTERM to the connector drains: an open stream finishes, new connections are not taken', async () => {
    const app = stack.apps.web;
    const ingress = new URL(stack.emulator.ingressUrl);
    const c = await connectThrough(ingress.hostname, Number(ingress.port), app.address);
    expect(c.status).toBe(200);
    // The app streams for 3 s; the connector gets SIGTERM once the first line arrived.
    const firstTick = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        if (chunk.toString('utf8').includes('tick 1')) {
          c.socket.off('data', onData);
          resolve();
        }
      };
      c.socket.on('data', onData);
    });
    const stream = getOver(c.socket, app.host, '/stream?seconds=3', 20_000);
    await firstTick;
    const termAt = performance.now();
    stack.connector.process.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const during = await stack
      .connectFromGateway(stack.gateways[0] as string, app.address)
      .catch((err: Error) => ({ status: 0, error: err.message }));
    const answer = await stream;
    const streamEnded = (performance.now() - termAt) / 1000;
    c.socket.destroy();
    const code = await stack.connector.process.exited;
    const exitedAfter = (performance.now() - termAt) / 1000;
    process.stdout.write(
      `SIGTERM during a stream: the stream ended ${streamEnded.toFixed(2)} s later (${answer.body.split('\n').length - 1} lines), ` +
        `the connector exited ${exitedAfter.toFixed(2)} s after SIGTERM (code ${code}); a new CONNECT meanwhile: ${JSON.stringify(during)}\n`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/tick 30 from app[12]\ndone from app[12]\n$/);
    expect(during.status).not.toBe(200);
    expect(code).toBe(0);
  });
});

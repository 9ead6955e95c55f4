import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeChange, decodeTunnelState, RedisKeys } from '@pa-connector/redis-contracts';
import { stopAll, waitFor } from '@pa-connector/test-support';
import Redis from 'ioredis';
import type { TunnelView } from '../../src/edge/tunnel-view';
import type { InProcessConnector } from '../support/connector';
import {
  startInProcess,
  startTunnelWorld,
  type TunnelWorld,
  tunnelViews,
  up,
  waitForTunnels,
} from '../support/tunnels';

const mode = (p: string) => statSync(p).mode & 0o777;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The connector's two tunnels against the emulator's real openvpn gateways: gw1 over IPv4/UDP,
 * gw2 over IPv6/UDP, the connector's openvpn processes in their own network namespace.
 */
describe('tunnels (real openvpn gateways in network namespaces)', () => {
  let world: TunnelWorld;
  let c: InProcessConnector;
  let redis: Redis;
  let subscriber: Redis;
  /** Change announcements on channel('tunnels'). */
  const announced: Array<{ id?: string }> = [];
  let keys: RedisKeys;
  /** Every tunnel change the supervisor reported, with the moment it did. */
  const events: Array<{ at: number; view: TunnelView }> = [];
  let startedAt = 0;

  beforeAll(async () => {
    world = await startTunnelWorld([{ protocol: 'udp' }, { protocol: 'udp', ipv6: true }]);
    redis = new Redis(world.redis.url);
    keys = new RedisKeys(world.prefix);
    subscriber = new Redis(world.redis.url);
    await subscriber.subscribe(keys.channel('tunnels'));
    subscriber.on('message', (_channel, text) => {
      const m = decodeChange(text);
      if (m) announced.push(m);
    });
    startedAt = performance.now();
    // A short connect limit so the stuck-connecting watchdog shows within the test.
    c = await startInProcess(await world.env({ PA_TUNNEL_CONNECT_TIMEOUT: '4s' }));
    c.service.tunnels?.on('tunnel', (view) => events.push({ at: performance.now(), view }));
  }, 60_000);

  afterAll(async () => {
    if (process.env.PA_TEST_DUMP)
      console.log(c?.lines.filter((l) => l.includes('tunnel')).join('\n'));
    await c?.stop();
    redis?.disconnect();
    subscriber?.disconnect();
    await stopAll();
    await world?.cleanup();
  });

  const ready = async () => {
    const res = await fetch(`${c.url}/ready`);
    // biome-ignore lint/suspicious/noExplicitAny: /ready body in tests
    return { status: res.status, body: (await res.json()) as any };
  };
  const gatewayAdmin = (name: string, action: 'kill' | 'start') =>
    world.emu.admin.call('POST', `/admin/gateways/${name}/${action}`);

  it('brings both tunnels up, to two different gateways, t2 over IPv6', async () => {
    await waitForTunnels(c, 'both tunnels up', (t) => up(t.t1) && up(t.t2), 45_000);
    console.log(
      `both tunnels up ${((performance.now() - startedAt) / 1000).toFixed(2)} s after start (enrollment included)`,
    );
    const t = tunnelViews(c);
    const identity = c.service.controlPlane.identity;
    const [g1, g2] = identity?.gateways ?? [];
    expect(t.t1?.gateway).toBe(g1?.name);
    expect(t.t2?.gateway).toBe(g2?.name);
    expect(t.t1?.gateway).not.toBe(t.t2?.gateway);
    // The fixed addresses the gateways hand this connector, and the gateways' own.
    expect(t.t1?.localAddress).toBe(g1?.tunnelAddress);
    expect(t.t2?.localAddress).toBe(g2?.tunnelAddress);
    expect(t.t1?.remoteAddress).toBe(new URL(g1?.controlUrl ?? '').hostname);
    expect(t.t1?.controlUrl).toBe(g1?.controlUrl);
    expect(t.t2?.remote).toBe(`[${world.topo.host('gw2').ipv6}]:1194/udp`);

    // The gateway sees the client coming from the connector's IPv6 address.
    const gw2 = (await world.emu.admin.call('GET', `/admin/gateways/${g2?.name}`)).body;
    const canonical = (a: string) => new URL(`http://[${a}]/`).hostname;
    expect(gw2.clients.map((x: { realAddress: string }) => canonical(x.realAddress))).toContain(
      canonical(world.topo.host('connector').ipv6),
    );

    const r = await ready();
    expect(r.status).toBe(200);
    expect(r.body.checks.tunnels).toMatchObject({
      ok: true,
      detail: {
        up: 2,
        total: 2,
        tunnels: { t1: { phase: 'connected' }, t2: { phase: 'connected' } },
      },
    });

    const stored = await redis.hgetall(keys.tunnels());
    expect(decodeTunnelState(stored.t1 ?? '')).toMatchObject({
      phase: 'connected',
      gateway: g1?.name,
      localAddress: g1?.tunnelAddress,
    });
    expect(decodeTunnelState(stored.t2 ?? '')).toMatchObject({ phase: 'connected' });

    await waitFor('bytes counted', () => (tunnelViews(c).t1?.bytesIn ?? 0) > 0, 5_000);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/pa_connector_tunnel_up\{tunnel="t1"\} 1/);
    expect(metrics).toMatch(/pa_connector_tunnel_up\{tunnel="t2"\} 1/);
    expect(metrics).toMatch(/pa_connector_tunnel_received_bytes_total\{tunnel="t1"\} [1-9]/);
    expect(metrics).toMatch(
      /pa_connector_tunnel_state_change_timestamp_seconds\{tunnel="t1"\} \d{10}/,
    );
  });

  it('keeps the management socket 0600 in a 0700 directory; the key is never in argv', async () => {
    const t1 = c.service.tunnels?.tunnel('t1');
    expect(t1).toBeDefined();
    const sock = t1?.managementSocket ?? '';
    expect(statSync(sock).isSocket()).toBe(true);
    expect(mode(sock)).toBe(0o600);
    const dir = join(sock, '..');
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'openvpn.conf'))).toBe(0o600);
    const pid = t1?.view.pid ?? 0;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain(join(dir, 'openvpn.conf'));
    expect(argv.join(' ')).not.toContain('PRIVATE KEY');
    expect(argv.join(' ')).not.toContain('Static key');
  });

  it('notices a dead gateway within 2 s, leaves the other tunnel alone, reconnects when it returns', async () => {
    const before = tunnelViews(c);
    const g1 = before.t1?.gateway ?? '';
    const t2ConnectedAt = before.t2?.connectedAt;
    const from = events.length;
    const announcedBefore = announced.length;
    const killedAt = performance.now();
    expect((await gatewayAdmin(g1, 'kill')).status).toBe(200);
    await waitForTunnels(c, 't1 down', (t) => !up(t.t1), 10_000);
    const down = events
      .slice(from)
      .find((e) => e.view.name === 't1' && e.view.phase !== 'connected');
    const detectS = ((down?.at ?? performance.now()) - killedAt) / 1000;
    console.log(`dead gateway detected in ${detectS.toFixed(2)} s (phase ${down?.view.phase})`);
    expect(detectS).toBeLessThan(5); // generous bound; the figure is printed above

    const r = await ready();
    expect(r.status).toBe(200);
    expect(r.body.checks.tunnels.detail).toMatchObject({
      up: 1,
      tunnels: { t1: { phase: 'reconnecting' } },
    });
    // t2 did not blink.
    expect(tunnelViews(c).t2).toMatchObject({
      phase: 'connected',
      connectedAt: t2ConnectedAt,
      reconnects: 0,
    });
    expect(
      events.slice(from).some((e) => e.view.name === 't2' && e.view.phase !== 'connected'),
    ).toBe(false);
    // The view changes before Redis has it: openvpn's own reason (SIGUSR1) and then the one behind
    // it are written one after the other, so the stored state is waited for, not read once.
    const storedT1 = async () => decodeTunnelState((await redis.hget(keys.tunnels(), 't1')) ?? '');
    const stored = await waitFor(
      'the silence stored as the reason',
      async () => {
        const s = await storedT1();
        return s?.lastError?.startsWith('nothing from the gateway') ? s : undefined;
      },
      5_000,
    ).catch(async () => storedT1());
    expect(stored?.phase).toBe('reconnecting');
    // The connector's own silence check fired before OpenVPN's ping-restart (3 s).
    expect(stored?.lastError).toMatch(/^nothing from the gateway for 1\.\d s$/);
    await waitFor(
      'the change announced',
      () => announced.slice(announcedBefore).some((m) => m.id === 't1'),
      2_000,
    );

    const startedAgain = performance.now();
    expect((await gatewayAdmin(g1, 'start')).status).toBe(200);
    await waitForTunnels(c, 't1 up again', (t) => up(t.t1), 30_000);
    console.log(
      `reconnected ${((performance.now() - startedAgain) / 1000).toFixed(2)} s after the gateway returned`,
    );
    expect(tunnelViews(c).t1?.reconnects).toBe(1);
    // OpenVPN held after its restart asking to wait (>HOLD:...:1): the release honoured that wait.
    const t1Lines = c.lines.map((l) => JSON.parse(l)).filter((e) => e.tunnel === 't1');
    const dropped = t1Lines.findIndex((e) => e.msg === 'tunnel reconnecting');
    const release = t1Lines.slice(dropped).find((e) => e.msg === 'releasing the openvpn hold');
    const waitedMs = Date.parse(release?.time) - Date.parse(t1Lines[dropped]?.time);
    console.log(`hold released ${waitedMs} ms after openvpn restarted`);
    expect(release?.waitSeconds).toBeGreaterThanOrEqual(1);
    expect(waitedMs).toBeGreaterThanOrEqual(900);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/pa_connector_tunnel_reconnects_total\{tunnel="t1"\} 1/);
  });

  it('starts a killed client openvpn again', async () => {
    const pid = tunnelViews(c).t2?.pid ?? 0;
    expect(alive(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
    await waitForTunnels(c, 't2 restarted', (t) => up(t.t2) && t.t2?.pid !== pid, 30_000);
    expect(alive(tunnelViews(c).t2?.pid ?? 0)).toBe(true);
    expect(c.lines.join('\n')).toMatch(/openvpn ended by SIGKILL/);
  });

  it('/ready follows the tunnels: 2, 1, 0 up; a tunnel stuck connecting gets a fresh openvpn', async () => {
    const [g1, g2] = [tunnelViews(c).t1?.gateway ?? '', tunnelViews(c).t2?.gateway ?? ''];
    await waitForTunnels(c, 'both up', (t) => up(t.t1) && up(t.t2));
    expect((await ready()).body.checks.tunnels.detail.up).toBe(2);
    await gatewayAdmin(g2, 'kill');
    await waitForTunnels(c, 'one up', (t) => up(t.t1) && !up(t.t2), 10_000);
    const one = await ready();
    expect(one.status).toBe(200);
    expect(one.body.checks.tunnels).toMatchObject({ ok: true, detail: { up: 1 } });
    await gatewayAdmin(g1, 'kill');
    await waitForTunnels(c, 'none up', (t) => !up(t.t1) && !up(t.t2), 10_000);
    const none = await ready();
    expect(none.status).toBe(503);
    expect(none.body.checks.tunnels).toMatchObject({ ok: false, detail: { up: 0, total: 2 } });
    expect(none.body.checks.tunnels.detail.tunnels.t1.lastError).toEqual(expect.any(String));

    // Nobody answers: after PA_TUNNEL_CONNECT_TIMEOUT the watchdog starts openvpn afresh.
    const stuckPid = tunnelViews(c).t1?.pid;
    await waitForTunnels(
      c,
      't1 openvpn restarted while stuck',
      (t) => t.t1?.pid !== undefined && t.t1.pid !== stuckPid,
      15_000,
    );
    expect(c.lines.join('\n')).toMatch(/not connected after \d+ s; restarting openvpn/);
    await gatewayAdmin(g1, 'start');
    await gatewayAdmin(g2, 'start');
    await waitForTunnels(c, 'both back', (t) => up(t.t1) && up(t.t2), 30_000);
    expect((await ready()).status).toBe(200);
  });

  it('on stop ends both openvpn processes, keeps the identity, and says so in Redis', async () => {
    const pids = Object.values(tunnelViews(c)).map((v) => v.pid ?? 0);
    expect(pids.every(alive)).toBe(true);
    const dataDir = c.service.controlPlane.identity ? join(world.tmp.dir, 'data-1') : '';
    await c.stop();
    expect(pids.some(alive)).toBe(false);
    expect(existsSync(join(dataDir, 'identity', 'client.key'))).toBe(true);
    const stored = await redis.hgetall(keys.tunnels());
    expect(decodeTunnelState(stored.t1 ?? '')?.phase).toBe('stopped');
    expect(decodeTunnelState(stored.t2 ?? '')?.phase).toBe('stopped');
  });
});

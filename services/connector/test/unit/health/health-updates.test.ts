import { EventEmitter } from 'node:events';
import { createRegistry } from '@pa-connector/metrics';
import type { HealthUpdate } from '@pa-connector/sse-api';
import { FakeClock } from '@pa-connector/test-support';
import { HealthUpdates } from '../../../src/health/health-updates';
import type { SendResult, UpdateSender, UpdateTarget } from '../../../src/health/update-sender';
import { captureLogger } from '../../support/capture-logger';

function setup(result: () => SendResult = () => ({ outcome: 'ok', status: 202 })) {
  const clock = new FakeClock();
  const log = captureLogger();
  const events = new EventEmitter();
  let state: 'up' | 'down' = 'up';
  const health = {
    updateApps: () => [
      { id: 'a', state, servers: [{ host: '10.0.0.1', port: 80, up: state === 'up' }] },
    ],
    onChange: (l: (ids: string[]) => void) => {
      events.on('change', l);
      return () => events.off('change', l);
    },
  };
  const sent: Array<{ target: UpdateTarget; update: HealthUpdate; at: number }> = [];
  const send: UpdateSender = async (target, update) => {
    sent.push({ target, update, at: clock.now() });
    return result();
  };
  const registry = createRegistry('connector', { defaultMetrics: false });
  const hu = new HealthUpdates({
    health,
    connectorId: 'conn-1',
    proxyPort: 3128,
    clock,
    logger: log.logger,
    registry,
    intervalMs: 5000,
    timeoutMs: 1000,
    debounceMs: 50,
    logEveryMs: 60_000,
    send,
  });
  const change = (s: 'up' | 'down') => {
    state = s;
    events.emit('change', ['a']);
  };
  return { clock, log, hu, sent, change, registry };
}

const t1 = { name: 'tun0', controlUrl: 'http://10.1.0.1:8900', localAddress: '10.1.0.5' };
const t2 = { name: 'tun1', controlUrl: 'http://10.2.0.1:8900', localAddress: '10.2.0.5' };

/**
 * HealthUpdates over t1 and t2 with one app always up, where every update over a tunnel named
 * in `failing` times out: the setup of the path-quality tests. `over` lists the states sent
 * over a tunnel, `last` the latest.
 */
function pathSetup(pathQuality?: { window: number; failures: number; recovery: number }) {
  const clock = new FakeClock();
  const log = captureLogger();
  const registry = createRegistry('connector', { defaultMetrics: false });
  const failing = new Set<string>();
  const sent: Array<[string | undefined, string | undefined]> = [];
  const hu = new HealthUpdates({
    health: {
      updateApps: () => [{ id: 'a', state: 'up', servers: [] }],
      onChange: () => () => undefined,
    },
    connectorId: 'conn-1',
    proxyPort: 3128,
    clock,
    logger: log.logger,
    registry,
    intervalMs: 1000,
    timeoutMs: 500,
    ...(pathQuality ? { pathQuality } : {}),
    send: async (_target, update) => {
      sent.push([update.tunnel, update.apps[0]?.state]);
      return failing.has(update.tunnel ?? '')
        ? { outcome: 'timeout', error: 'no answer' }
        : { outcome: 'ok', status: 202 };
    },
  });
  const over = (tunnel: string) => sent.filter((s) => s[0] === tunnel).map((s) => s[1]);
  const last = (tunnel: string) => over(tunnel).at(-1);
  return { clock, log, registry, failing, hu, over, last };
}

describe('HealthUpdates', () => {
  it('sends over every tunnel at once, then every interval, with tunnel and proxyPort', async () => {
    const t = setup();
    t.hu.setTunnels([t1, t2]);
    t.hu.start();
    await t.clock.advance(0);
    expect(t.sent.map((s) => s.update.tunnel)).toEqual(['tun0', 'tun1']);
    expect(t.sent[0]?.update).toMatchObject({
      connectorId: 'conn-1',
      proxyPort: 3128,
      apps: [{ id: 'a', state: 'up' }],
    });
    expect(t.sent[1]?.target).toMatchObject({
      controlUrl: t2.controlUrl,
      localAddress: t2.localAddress,
    });
    await t.clock.advance(5000);
    expect(t.sent.length).toBe(4);
    await t.hu.stop();
  });

  it('sends soon after a change, once for a burst (debounced)', async () => {
    const t = setup();
    t.hu.setTunnels([t1]);
    t.hu.start();
    await t.clock.advance(0);
    t.sent.length = 0;
    t.change('down');
    t.change('down');
    t.change('down');
    await t.clock.advance(49);
    expect(t.sent.length).toBe(0);
    await t.clock.advance(1);
    expect(t.sent.length).toBe(1);
    expect(t.sent[0]?.update.apps[0]?.state).toBe('down');
    await t.hu.stop();
  });

  it('a new tunnel gets an update at once; a removed one gets no more', async () => {
    const t = setup();
    t.hu.setTunnels([t1]);
    t.hu.start();
    await t.clock.advance(0);
    t.hu.setTunnels([t1, t2]);
    await t.clock.advance(0);
    expect(t.sent.map((s) => s.update.tunnel)).toEqual(['tun0', 'tun1']);
    t.hu.setTunnels([t2]);
    await t.clock.advance(5000);
    expect(t.sent.slice(2).map((s) => s.update.tunnel)).toEqual(['tun1']);
    await t.hu.stop();
  });

  it('cancels the update in flight over a tunnel that goes (changed address or removed)', async () => {
    const clock = new FakeClock();
    const signals: Array<{ tunnel: string | undefined; signal: AbortSignal | undefined }> = [];
    const registry = createRegistry('connector', { defaultMetrics: false });
    const hu = new HealthUpdates({
      health: { updateApps: () => [], onChange: () => () => undefined },
      connectorId: 'conn-1',
      proxyPort: 3128,
      clock,
      logger: captureLogger().logger,
      registry,
      intervalMs: 5000,
      timeoutMs: 1000,
      // Answers only when cancelled: an update stuck in a tunnel that is gone.
      send: (_target, update, _timeoutMs, signal) =>
        new Promise((resolve) => {
          signals.push({ tunnel: update.tunnel, signal });
          signal?.addEventListener('abort', () => resolve({ outcome: 'cancelled' }));
        }),
    });
    hu.setTunnels([t1, t2]);
    hu.start();
    await clock.advance(0);
    expect(signals.map((s) => [s.tunnel, s.signal?.aborted])).toEqual([
      ['tun0', false],
      ['tun1', false],
    ]);
    hu.setTunnels([{ ...t1, localAddress: '10.1.0.6' }, t2]);
    await clock.advance(0);
    hu.setTunnels([{ ...t1, localAddress: '10.1.0.6' }]);
    expect(signals.map((s) => [s.tunnel, s.signal?.aborted])).toEqual([
      ['tun0', true],
      ['tun1', true],
      ['tun0', false],
    ]);
    await clock.advance(0);
    const text = await registry.getSingleMetricAsString('pa_connector_health_updates_total');
    expect(text).toContain('pa_connector_health_updates_total{tunnel="tun0",result="cancelled"} 1');
    expect(text).toContain('pa_connector_health_updates_total{tunnel="tun1",result="cancelled"} 1');
    hu.setTunnels([]);
    await hu.stop();
  });

  it('logs failures at a bounded rate and the recovery once, never throws', async () => {
    let outcome: SendResult = { outcome: 'network_error', error: 'ECONNREFUSED' };
    const t = setup(() => outcome);
    t.hu.setTunnels([t1]);
    t.hu.start();
    await t.clock.advance(0);
    for (let i = 0; i < 30; i++) await t.clock.advance(5000); // 150 s of failures
    const warns = t.log.lines.filter((l) => l.includes('health update not accepted'));
    expect(t.sent.length).toBe(31);
    expect(warns.length).toBe(3); // first, +60 s, +120 s
    outcome = { outcome: 'ok', status: 202 };
    await t.clock.advance(5000);
    expect(t.log.lines.filter((l) => l.includes('reach the gateway again')).length).toBe(1);
    const m = await t.registry.getSingleMetricAsString('pa_connector_health_updates_total');
    expect(m).toContain(
      'pa_connector_health_updates_total{tunnel="tun0",result="network_error"} 31',
    );
    await t.hu.stop();
  });

  it('a tunnel whose updates fail often while the other is sound reports every app down until they are answered again', async () => {
    const { clock, log, registry, failing, hu, over } = pathSetup({
      window: 10,
      failures: 3,
      recovery: 4,
    });
    hu.setTunnels([t1, t2]);
    hu.start();
    await clock.advance(0);
    failing.add('tun0');
    for (let i = 0; i < 3; i++) await clock.advance(1000);
    // The third failure tips it: the next update over tun0 (at once) says every app is down.
    expect(over('tun0')).toEqual(['up', 'up', 'up', 'up', 'down']);
    expect(over('tun1').every((s) => s === 'up')).toBe(true);
    expect([hu.delivered('tun0'), hu.delivered('tun1')]).toEqual([false, true]);
    expect(await registry.getSingleMetricAsString('pa_connector_tunnel_path_degraded')).toContain(
      'pa_connector_tunnel_path_degraded{tunnel="tun0"} 1',
    );
    // Answered again: after `recovery` answers in a row and few enough failures in the window.
    failing.delete('tun0');
    const from = over('tun0').length;
    for (let i = 0; i < 10; i++) await clock.advance(1000);
    const after = over('tun0').slice(from);
    expect(after.at(-1)).toBe('up');
    expect(after.filter((s) => s === 'down').length).toBeGreaterThanOrEqual(4);
    expect(hu.delivered('tun0')).toBe(true);
    expect(
      log.lines.some((l) => l.includes('answered again; its gateway gets the apps again')),
    ).toBe(true);
    await hu.stop();
  });

  it('a degraded tunnel that reconnects to the same gateway stays degraded; to another gateway it starts afresh', async () => {
    const { clock, registry, failing, hu, last } = pathSetup({
      window: 10,
      failures: 3,
      recovery: 4,
    });
    hu.setTunnels([t1, t2]);
    hu.start();
    await clock.advance(0);
    failing.add('tun0');
    for (let i = 0; i < 3; i++) await clock.advance(1000);
    expect(last('tun0')).toBe('down');
    // tun0 goes down and comes back to the same gateway at a new address: still degraded, its
    // first update says so.
    hu.setTunnels([t2]);
    hu.setTunnels([{ ...t1, localAddress: '10.1.0.6' }, t2]);
    await clock.advance(0);
    expect(last('tun0')).toBe('down');
    expect(await registry.getSingleMetricAsString('pa_connector_tunnel_path_degraded')).toContain(
      'pa_connector_tunnel_path_degraded{tunnel="tun0"} 1',
    );
    // To another gateway: another path, judged afresh.
    failing.delete('tun0');
    hu.setTunnels([t2]);
    hu.setTunnels([{ ...t1, controlUrl: 'http://10.3.0.1:8900' }, t2]);
    await clock.advance(0);
    expect(last('tun0')).toBe('up');
    await hu.stop();
  });

  it('never takes the last sound tunnel: both failing stay reported, a degraded one comes back when the other goes', async () => {
    const { clock, log, failing, hu, last } = pathSetup();
    failing.add('tun0');
    hu.setTunnels([t1, t2]);
    hu.start();
    for (let i = 0; i < 5; i++) await clock.advance(1000);
    expect(last('tun0')).toBe('down');
    // The sound one goes away: the degraded one is all there is, its apps are reported again.
    hu.setTunnels([t1]);
    await clock.advance(0);
    expect(last('tun0')).toBe('up');
    expect(log.lines.some((l) => l.includes('no other tunnel is sound'))).toBe(true);
    // Both failing: neither is taken out.
    hu.setTunnels([t1, t2]);
    failing.add('tun1');
    for (let i = 0; i < 10; i++) await clock.advance(1000);
    expect([last('tun0'), last('tun1')]).toEqual(['up', 'up']);
    await hu.stop();
  });

  it('refuses a bad proxy port', () => {
    expect(
      () =>
        new HealthUpdates({
          health: { updateApps: () => [], onChange: () => () => {} },
          connectorId: 'c',
          proxyPort: 0,
          clock: new FakeClock(),
          logger: captureLogger().logger,
          registry: createRegistry('connector', { defaultMetrics: false }),
          intervalMs: 1,
          timeoutMs: 1,
        }),
    ).toThrow(/proxyPort must be a port from 1 to 65535, got 0/);
  });

  it('withdraw: the tunnel reports every app down until it reconnects or is restored; delivered() says so', async () => {
    const t = setup();
    t.hu.setTunnels([t1, t2]);
    t.hu.start();
    await t.clock.advance(0);
    expect([t.hu.delivered('tun0'), t.hu.delivered('tun1')]).toEqual([true, true]);
    t.sent.length = 0;
    await expect(t.hu.withdraw('tun0')).resolves.toBe(true);
    expect(t.sent.map((s) => [s.update.tunnel, s.update.apps[0]?.state])).toEqual([
      ['tun0', 'down'],
    ]);
    expect([t.hu.delivered('tun0'), t.hu.delivered('tun1')]).toEqual([false, true]);
    // The periodic updates keep saying so over that tunnel only.
    await t.clock.advance(5000);
    expect(t.sent.slice(1).map((s) => [s.update.tunnel, s.update.apps[0]?.state])).toEqual([
      ['tun0', 'down'],
      ['tun1', 'up'],
    ]);
    t.hu.restore('tun0');
    await t.clock.advance(0);
    expect(t.sent.at(-1)?.update.apps[0]?.state).toBe('up');
    expect(t.hu.delivered('tun0')).toBe(true);
    // A reconnected tunnel (new endpoint) starts afresh.
    await t.hu.withdraw('tun0');
    t.hu.setTunnels([t2]);
    t.hu.setTunnels([t1, t2]);
    await t.clock.advance(0);
    expect(t.sent.at(-1)?.update).toMatchObject({ tunnel: 'tun0', apps: [{ state: 'up' }] });
    await t.hu.stop();
  });

  it('draining: both gateways hear it at once with the real app states, every later update keeps it, until undrained', async () => {
    const t = setup();
    t.hu.setTunnels([t1, t2]);
    t.hu.start();
    await t.clock.advance(0);
    expect(t.sent.map((s) => s.update.draining)).toEqual([undefined, undefined]);
    t.sent.length = 0;
    const asked = t.clock.now();
    t.hu.setDraining(true);
    await t.clock.advance(0);
    // At once, not at the next interval, and the apps keep their real state.
    expect(
      t.sent.map((s) => [s.at, s.update.tunnel, s.update.draining, s.update.apps[0]?.state]),
    ).toEqual([
      [asked, 'tun0', true, 'up'],
      [asked, 'tun1', true, 'up'],
    ]);
    t.change('down');
    await t.clock.advance(5000);
    expect(t.sent.slice(2).every((s) => s.update.draining === true)).toBe(true);
    expect(t.sent.at(-1)?.update.apps[0]?.state).toBe('down');
    expect([t.hu.delivered('tun0'), t.hu.delivered('tun1')]).toEqual([true, true]);
    t.sent.length = 0;
    t.hu.setDraining(false);
    await t.clock.advance(0);
    expect(t.sent.map((s) => [s.update.tunnel, 'draining' in s.update])).toEqual([
      ['tun0', false],
      ['tun1', false],
    ]);
    await t.hu.stop();
  });

  it('withdraw answers false when the gateway was not told (failure, unknown tunnel, tunnel gone)', async () => {
    let ok = true;
    const t = setup(() =>
      ok ? { outcome: 'ok', status: 202 } : { outcome: 'network_error', error: 'no route' },
    );
    t.hu.setTunnels([t1]);
    t.hu.start();
    await t.clock.advance(0);
    ok = false;
    await expect(t.hu.withdraw('tun0')).resolves.toBe(false);
    await expect(t.hu.withdraw('nope')).resolves.toBe(false);
    // Gone while an update was in flight: the waiter is not left hanging.
    const other = setup();
    other.hu.setTunnels([t1]);
    other.hu.start();
    const w = other.hu.withdraw('tun0');
    other.hu.setTunnels([]);
    await expect(w).resolves.toBe(false);
    await t.hu.stop();
    await other.hu.stop();
  });
});

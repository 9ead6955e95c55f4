import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTinyproxy, stopAll, type TestProxy } from '@pa-connector/test-support';
import type { InProcessConnector } from '../support/connector';
import {
  startInProcess,
  startTunnelWorld,
  type TunnelWorld,
  tunnelViews,
  up,
  waitForTunnels,
} from '../support/tunnels';

const USER = 'tunnel-user';
const PASSWORD = 'pr0xy-S3cret';

/** Both tunnels through a real HTTP proxy (tinyproxy with Basic auth) to TCP gateways. */
describe('tunnels through an HTTP proxy', () => {
  let world: TunnelWorld;
  let proxy: TestProxy;
  let c: InProcessConnector;

  beforeAll(async () => {
    world = await startTunnelWorld([{ protocol: 'tcp' }, { protocol: 'tcp' }]);
    // The proxy lives next to the tunnels' openvpn, in the connector's namespace.
    proxy = await startTinyproxy({
      auth: { user: USER, password: PASSWORD },
      netns: world.topo.host('connector').netns,
    });
    const proxyFile = world.tmp.file('proxy-url', `${proxy.url}\n`);
    c = await startInProcess(
      await world.env({
        PA_PROXY_URL_FILE: proxyFile,
        // The SSE is on the host's loopback, outside the namespace: reached directly.
        PA_NO_PROXY: '127.0.0.1',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    if (process.env.PA_TEST_DUMP)
      console.log(
        c?.lines
          .filter((l) => l.includes('tunnel'))
          .slice(0, 80)
          .join('\n'),
        proxy?.log(),
      );
    await c?.stop();
    await proxy?.stop();
    await stopAll();
    await world?.cleanup();
  });

  it('brings both tunnels up through the proxy, credentials only in a 0600 file', async () => {
    const took = await waitForTunnels(c, 'both tunnels up', (t) => up(t.t1) && up(t.t2), 45_000);
    console.log(`both tunnels up through the proxy in ${(took / 1000).toFixed(2)} s`);
    const log = proxy.log();
    for (const role of ['gw1', 'gw2']) {
      expect(log).toContain(`CONNECT ${world.topo.host(role).ipv4}:1194`);
    }
    const t = tunnelViews(c);
    expect(t.t1?.remote).toMatch(/\/tcp$/);
    const dir = join(c.service.tunnels?.tunnel('t1')?.managementSocket ?? '', '..');
    const auth = join(dir, 'proxy-auth');
    expect(statSync(auth).mode & 0o777).toBe(0o600);
    expect(readFileSync(auth, 'utf8')).toBe(`${USER}\n${PASSWORD}\n`);
    const argv = readFileSync(`/proc/${t.t1?.pid}/cmdline`, 'utf8');
    expect(argv).not.toContain(PASSWORD);
    expect(c.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('a dead TCP gateway is noticed at once through the proxy too', async () => {
    const g1 = tunnelViews(c).t1?.gateway ?? '';
    const killedAt = performance.now();
    await world.emu.admin.call('POST', `/admin/gateways/${g1}/kill`);
    await waitForTunnels(c, 't1 down', (t) => !up(t.t1), 15_000);
    console.log(
      `dead TCP gateway (through the proxy) detected in ${((performance.now() - killedAt) / 1000).toFixed(2)} s`,
    );
    expect(up(tunnelViews(c).t2)).toBe(true);
    await world.emu.admin.call('POST', `/admin/gateways/${g1}/start`);
    await waitForTunnels(c, 't1 back', (t) => up(t.t1), 30_000);
  });
});

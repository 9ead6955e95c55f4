import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { dropRules, ipNetns } from '../src/chaos/fault-tools';
import { type IngressStats, type Stack, startStack, waitUntil } from '../src/stack';

const carriedVia = (s: IngressStats, gateway: string) =>
  s.tunnels.filter((t) => t.gateway === gateway).reduce((n, t) => n + t.carried, 0);

async function degraded(stack: Stack, tunnel: string): Promise<number | undefined> {
  const text = await fetch(`${stack.connector.url}/metrics`).then((r) => r.text());
  const m = new RegExp(
    `^pa_connector_tunnel_path_degraded\\{tunnel="${tunnel}"\\} (\\d)`,
    'm',
  ).exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * What the gateway's fresh updates over the connector's tunnel `tunnel` say about app `web`
 * (`up` if any says so). A tunnel that reconnected at another address leaves the update of its
 * old address behind until it goes stale: only fresh ones count, as for the ingress.
 */
async function webStateAt(stack: Stack, gateway: string, tunnel: string): Promise<string> {
  const g = await stack.admin<{
    health: Array<{
      tunnel: string | null;
      stale: boolean;
      body: { apps?: Array<{ id: string; state: string }> };
    }>;
  }>('GET', `/admin/gateways/${gateway}`);
  const states = g.health
    .filter((x) => x.tunnel === tunnel && !x.stale)
    .map((h) => h.body.apps?.find((a) => a.id === 'web')?.state ?? 'none');
  if (states.includes('up')) return 'up';
  return states[0] ?? 'none';
}

/**
 * A tunnel that loses 30 % of its packets each way stays connected (enough pings get through),
 * but the health updates over it go unanswered often: the connector tells its gateway that no app
 * is reachable through it, users go over the other tunnel, and once the path heals the tunnel
 * carries users again.
 */
describe('a lossy tunnel', () => {
  let stack: Stack;

  beforeAll(async () => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    requireBinary('iptables', 'iptables');
    stack = await startStack({ progress: (l) => process.stdout.write(`stack: ${l}\n`) });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('is taken out of use while its updates go unanswered, and back once they are answered', async () => {
    await stack.waitForTunnels(2);
    await stack.waitForApp(stack.apps.web, 'up', 2);
    const t1 = (await stack.tunnels()).t1;
    const [gw1, gw2] = stack.gateways as [string, string];
    if (t1?.gateway !== gw1) throw new Error(`t1 goes to ${t1?.gateway}, not ${gw1}`);
    const netns = stack.topology.host('gw1').netns;
    const rules = dropRules(stack, 0.3);
    const t0 = performance.now();
    const at = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
    let report = '';
    const reconnectsBefore = t1.reconnects;
    for (const r of rules) await ipNetns(netns, ['iptables', '-I', ...r]);
    try {
      // The gateway stops offering t1 to users: told every app is down over it, or, while t1
      // reconnects (its pings are lost too; a handshake under this loss can take long), left
      // with no fresh update from t1 saying up. Under load this has taken over a minute.
      let seen = '';
      await waitUntil(
        `${gw1} no longer hears web up over t1`,
        async () => {
          seen = await webStateAt(stack, gw1, 't1');
          return seen === 'down' || seen === 'none' ? true : undefined;
        },
        150_000,
      );
      report += `its gateway had ${seen === 'down' ? 'been told down' : 'no fresh update'} after ${at()}; `;
      await waitUntil(
        't1 degraded',
        async () => ((await degraded(stack, 't1')) === 1 ? true : undefined),
        150_000,
      );
      report += `t1 counted degraded by ${at()}; `;
      expect((await stack.tunnels()).t1?.phase).toBe('connected');
      expect(await degraded(stack, 't2')).toBe(0);
      // Users now go over t2 only, and quickly.
      const before = await stack.ingressStats();
      const started = performance.now();
      let ok = 0;
      let failed = 0;
      while (performance.now() - started < 10_000) {
        const a = await stack.request('/').catch(() => undefined);
        if (a?.connectStatus === 200 && a.status === 200) ok++;
        else failed++;
      }
      const after = await stack.ingressStats();
      report += `then 10 s of requests: ${ok} ok, ${failed} failed, via ${gw1} ${carriedVia(after, gw1) - carriedVia(before, gw1)}, via ${gw2} ${carriedVia(after, gw2) - carriedVia(before, gw2)}; `;
      expect(carriedVia(after, gw1) - carriedVia(before, gw1)).toBe(0);
      expect(failed).toBe(0);
    } finally {
      for (const r of rules) await ipNetns(netns, ['iptables', '-D', ...r]).catch(() => {});
      const now = (await stack.tunnels()).t1;
      report += `t1 reconnected ${(now?.reconnects ?? reconnectsBefore) - reconnectsBefore} times meanwhile, degraded ${await degraded(stack, 't1')}`;
      console.log(`30 % loss on t1: ${report}`);
    }
    const healed = performance.now();
    await waitUntil(
      't1 sound again',
      async () => ((await degraded(stack, 't1')) === 0 ? true : undefined),
      60_000,
    );
    await stack.waitForApp(stack.apps.web, 'up', 2);
    console.log(
      `path healed: t1 carries users again after ${((performance.now() - healed) / 1000).toFixed(1)} s`,
    );
  }, 480_000);
});

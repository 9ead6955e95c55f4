import { requireBinary, requireRoot } from '@pa-connector/test-support';
import {
  type IngressStats,
  type RequestSample,
  type Stack,
  type StackPop,
  startRequestLoops,
  startStack,
} from '../src/stack';

/**
 * A lost VM, three ways, under user load: two POPs enrolled in one group, POP 2 is lost by
 * `kill` (its connector and openvpn clients SIGKILLed), `cutNetwork` (every packet of its
 * namespace dropped, no RST, no FIN) and `freeze` (every process of its namespace SIGSTOPped).
 * Four loops of `stack.request()` run through the ingress the whole time; for each way the test
 * prints the requests that failed, the seconds from the fault until requests succeed again, and
 * the longest request, then restores POP 2 and waits until its tunnels carry users again.
 *
 * What bounds the figures, with this stack's settings:
 * - the gateways' keepalive is the emulator's `keepalive 1 5`: the openvpn server pings every
 *   second and, on its side, drops a client silent for 10 s (openvpn doubles the pushed
 *   ping-restart on the server); the ingress does not wait for that:
 * - the connector sends a health update over each tunnel every second and the emulator runs with
 *   `--health-stale 5s`: the ingress stops choosing a tunnel whose latest update is older than
 *   5 s, so it notices a lost VM about 5 s after the fault, whichever way it was lost;
 * - until then a request sent to a POP 2 tunnel waits for the gateway relay's dial timeout (5 s),
 *   is refused, and the ingress tries the next candidate at once (two at most, within its 10 s
 *   answer deadline). Candidates are ordered by gateway, then connector, so the next one is
 *   POP 1's: such requests are slowed (about 5 s) rather than failed;
 * - a request POP 2 was already carrying when it was lost has nowhere to go: after a cut or a
 *   freeze nothing answers and the user gives up after 10 s (a killed connector's connections
 *   close at once). So the few failures are those, and requests succeed again at most about
 *   10 s after the fault; the longest request is bounded by the user's 10 s deadlines.
 *
 * What must hold whatever the timing: once the ingress has noticed, requests keep succeeding
 * through POP 1 (its tunnels' `carried` grows, POP 2's does not), every request started after
 * that succeeds, and POP 2, restored, carries users again.
 */

jest.setTimeout(900_000);

/** Connections the ingress carried over a connector's tunnels. */
function carried(stats: IngressStats, connectorId: string): number {
  return stats.tunnels
    .filter((t) => t.connectorId === connectorId)
    .reduce((n, t) => n + t.carried, 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined) return v;
    await sleep(200);
  }
  throw new Error(`${what} did not happen within ${ms / 1000}s`);
}

/** Tunnels of `connectorId` the ingress may choose for `web`: a fresh update saying it is up. */
async function routableTunnels(stack: Stack, connectorId: string): Promise<number> {
  let n = 0;
  for (const g of stack.gateways) {
    const v = await stack.admin<{
      health?: Array<{
        connectorId: string;
        stale: boolean;
        body: { apps?: Array<{ id: string; state: string }> };
      }>;
    }>('GET', `/admin/gateways/${g}`);
    for (const h of v.health ?? []) {
      if (h.connectorId !== connectorId || h.stale) continue;
      if (h.body.apps?.some((a) => a.id === 'web' && a.state === 'up')) n += 1;
    }
  }
  return n;
}

interface Figures {
  way: string;
  requests: number;
  failed: number;
  /** Seconds from the fault until the ingress stopped choosing POP 2. */
  noticedS: number;
  /** Seconds from the fault to the first success after the last failure (0: none failed). */
  recoveredS: number;
  longestS: number;
}

/** The figures of the requests that ended after the fault and before POP 2 was restored. */
function figures(
  way: string,
  samples: RequestSample[],
  faultAt: number,
  noticedAt: number,
): Figures {
  const window = samples.filter((s) => s.end >= faultAt);
  const failures = window.filter((s) => !s.ok);
  const lastFailureEnd = Math.max(...failures.map((s) => s.end), faultAt);
  const firstSuccess = window
    .filter((s) => s.ok && s.end >= lastFailureEnd)
    .reduce<RequestSample | undefined>(
      (a, s) => (a === undefined || s.end < a.end ? s : a),
      undefined,
    );
  if (failures.length > 0 && !firstSuccess) {
    throw new Error(`${way}: no request succeeded after the last failure`);
  }
  return {
    way,
    requests: window.length,
    failed: failures.length,
    noticedS: (noticedAt - faultAt) / 1000,
    recoveredS: failures.length === 0 ? 0 : ((firstSuccess as RequestSample).end - faultAt) / 1000,
    longestS: Math.max(...window.map((s) => s.end - s.start)) / 1000,
  };
}

function table(rows: Figures[]): string {
  const head = ['way', 'requests', 'failed', 'ingress noticed s', 'recovered s', 'longest s'];
  const body = rows.map((r) => [
    r.way,
    String(r.requests),
    String(r.failed),
    r.noticedS.toFixed(1),
    r.recoveredS.toFixed(1),
    r.longestS.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

describe('a lost VM: two POPs in one group, POP 2 lost three ways under user load', () => {
  let stack: Stack | undefined;

  beforeAll(() => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    requireBinary('iptables', 'iptables');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('kill, cutNetwork and freeze of POP 2: requests go on through POP 1, POP 2 comes back each time', async () => {
    stack = await startStack({ connectors: 2 });
    const s = stack;
    const [pop1, pop2] = s.pops as [StackPop, StackPop];
    expect(pop2.groupId).toBe(pop1.groupId);
    const id1 = pop1.connector.connectorId;
    const id2 = pop2.connector.connectorId;
    const load = startRequestLoops(s, 4);
    const ways: Array<{ way: string; fault: () => void; restore: () => Promise<void> }> = [
      { way: 'kill', fault: () => pop2.kill(), restore: () => pop2.restartConnector() },
      {
        way: 'cutNetwork',
        fault: () => pop2.cutNetwork(),
        restore: async () => pop2.restoreNetwork(),
      },
      { way: 'freeze', fault: () => pop2.freeze(), restore: async () => pop2.thaw() },
    ];
    const rows: Figures[] = [];
    try {
      // Both POPs carry users before the first fault.
      const before = await s.ingressStats();
      await until(
        'both POPs carrying users',
        async () => {
          const now = await s.ingressStats();
          return carried(now, id1) > carried(before, id1) &&
            carried(now, id2) > carried(before, id2)
            ? true
            : undefined;
        },
        30_000,
      );
      for (const { way, fault, restore } of ways) {
        const faultAt = Date.now();
        fault();
        await until(
          `${way}: the ingress no longer choosing POP 2`,
          async () => ((await routableTunnels(s, id2)) === 0 ? true : undefined),
          60_000,
        );
        const noticedAt = Date.now();
        // From now on users go through POP 1 only.
        const a = await s.ingressStats();
        await sleep(5_000);
        const b = await s.ingressStats();
        expect({ way, pop1Grew: carried(b, id1) > carried(a, id1) }).toEqual({
          way,
          pop1Grew: true,
        });
        expect({ way, pop2: carried(b, id2) }).toEqual({ way, pop2: carried(a, id2) });
        const afterNotice = load.samples.filter((x) => x.start >= noticedAt + 1_000);
        expect(afterNotice.length).toBeGreaterThan(0);
        expect({ way, failed: afterNotice.filter((x) => !x.ok) }).toEqual({ way, failed: [] });
        // Every request that started before the ingress noticed has ended, however it did.
        await until(
          `${way}: the requests started before the ingress noticed ending`,
          async () => (load.inFlight().every((t) => t >= noticedAt) ? true : undefined),
          60_000,
        );
        const row = figures(way, [...load.samples], faultAt, noticedAt);
        const why = new Set(
          load.samples.filter((x) => !x.ok && x.end >= faultAt).map((x) => x.why ?? '?'),
        );
        if (why.size > 0) process.stdout.write(`${way}: failures: ${[...why].join(' | ')}\n`);
        rows.push(row);
        process.stdout.write(`${way}: ${JSON.stringify(row)}\n`);

        await restore();
        await pop2.waitForTunnels(2, 120_000);
        const c = await s.ingressStats();
        await until(
          `${way}: POP 2 carrying users again`,
          async () => (carried(await s.ingressStats(), id2) > carried(c, id2) ? true : undefined),
          120_000,
        );
        await s.waitForApp(s.apps.web, 'up', 4, 60_000);
      }
    } finally {
      await load.stop();
    }
    process.stdout.write(`\nPOP 2 lost, 4 user loops through the ingress:\n${table(rows)}\n\n`);
    expect(rows.map((r) => r.way)).toEqual(['kill', 'cutNetwork', 'freeze']);
    for (const r of rows) {
      // Recovery: whatever failed, requests succeed again well within the bounds above.
      expect({ way: r.way, recovered: r.recoveredS < 60 }).toEqual({ way: r.way, recovered: true });
    }
  });
});

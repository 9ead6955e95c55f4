import { requireBinary, requireRoot } from '@pa-connector/test-support';
import {
  carriedBy,
  LOST_VM_WAYS,
  type LostVmFigures,
  loseAndRestore,
  lostVmTable,
  type Stack,
  type StackPop,
  startRequestLoops,
  startStack,
  waitUntil,
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    const rows: LostVmFigures[] = [];
    try {
      // Both POPs carry users before the first fault.
      const before = await s.ingressStats();
      await waitUntil(
        'both POPs carrying users',
        async () => {
          const now = await s.ingressStats();
          return carriedBy(now, id1) > carriedBy(before, id1) &&
            carriedBy(now, id2) > carriedBy(before, id2)
            ? true
            : undefined;
        },
        30_000,
      );
      for (const way of LOST_VM_WAYS) {
        const row = await loseAndRestore(s, pop2, way, load, async (noticedAt) => {
          // From now on users go through POP 1 only.
          const a = await s.ingressStats();
          await sleep(5_000);
          const b = await s.ingressStats();
          expect({ way, pop1Grew: carriedBy(b, id1) > carriedBy(a, id1) }).toEqual({
            way,
            pop1Grew: true,
          });
          expect({ way, pop2: carriedBy(b, id2) }).toEqual({ way, pop2: carriedBy(a, id2) });
          const afterNotice = load.samples.filter((x) => x.start >= noticedAt + 1_000);
          expect(afterNotice.length).toBeGreaterThan(0);
          expect({ way, failed: afterNotice.filter((x) => !x.ok) }).toEqual({ way, failed: [] });
        });
        if (row.why.length > 0) process.stdout.write(`${way}: failures: ${row.why.join(' | ')}\n`);
        process.stdout.write(`${way}: ${JSON.stringify(row)}\n`);
        rows.push(row);
      }
    } finally {
      await load.stop();
    }
    process.stdout.write(
      `\nPOP 2 lost, 4 user loops through the ingress:\n${lostVmTable(rows)}\n\n`,
    );
    expect(rows.map((r) => r.way)).toEqual(['kill', 'cutNetwork', 'freeze']);
    for (const r of rows) {
      // Recovery: whatever failed, requests succeed again well within the bounds above.
      expect({ way: r.way, recovered: r.recoveredS < 60 }).toEqual({ way: r.way, recovered: true });
    }
  });
});

import { waitUntil } from './http';
import type { RequestLoops, RequestSample } from './request-loops';
import type { IngressStats, Stack, StackPop } from './stack-types';

/** How a POP's VM is lost: its connector killed, its network cut silently, or frozen. */
export type LostVmWay = 'kill' | 'cutNetwork' | 'freeze';
export const LOST_VM_WAYS: readonly LostVmWay[] = ['kill', 'cutNetwork', 'freeze'];

/** What one way of losing a POP did to the users' requests. */
export interface LostVmFigures {
  way: LostVmWay;
  /** Requests that ended between the fault and the restore. */
  requests: number;
  failed: number;
  /** Seconds from the fault until the ingress stopped choosing the lost POP. */
  noticedS: number;
  /** Seconds from the fault to the first success after the last failure (0: none failed). */
  recoveredS: number;
  longestS: number;
  /** Why requests failed (each reason once). */
  why: string[];
}

/** Connections the ingress carried over a connector's tunnels. */
export function carriedBy(stats: IngressStats, connectorId: string): number {
  return stats.tunnels
    .filter((t) => t.connectorId === connectorId)
    .reduce((n, t) => n + t.carried, 0);
}

/** Tunnels of `connectorId` the ingress may choose for `appId`: a fresh update saying it is up. */
async function routableTunnels(
  stack: Stack,
  connectorId: string,
  appId = stack.apps.web.id,
): Promise<number> {
  let n = 0;
  for (const g of stack.gateways) {
    const v = await stack.admin<{
      health?: Array<{
        connectorId: string;
        stale: boolean;
        body: { draining?: boolean; apps?: Array<{ id: string; state: string }> };
      }>;
    }>('GET', `/admin/gateways/${g}`);
    for (const h of v.health ?? []) {
      if (h.connectorId !== connectorId || h.stale || h.body.draining) continue;
      if (h.body.apps?.some((a) => a.id === appId && a.state === 'up')) n += 1;
    }
  }
  return n;
}

/** The figures of the requests that ended after the fault (times from Date.now()). */
function lostVmFigures(
  way: LostVmWay,
  samples: readonly RequestSample[],
  faultAt: number,
  noticedAt: number,
): LostVmFigures {
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
    longestS: Math.max(0, ...window.map((s) => s.end - s.start)) / 1000,
    why: [...new Set(failures.map((s) => s.why ?? '?'))],
  };
}

const FAULTS: Record<LostVmWay, { fault(p: StackPop): void; restore(p: StackPop): Promise<void> }> =
  {
    kill: { fault: (p) => p.kill(), restore: (p) => p.restartConnector() },
    cutNetwork: { fault: (p) => p.cutNetwork(), restore: async (p) => p.restoreNetwork() },
    freeze: { fault: (p) => p.freeze(), restore: async (p) => p.thaw() },
  };

/**
 * Loses `pop` one `way` while `load` runs through the ingress: the fault, then the wait until
 * the ingress no longer chooses the POP (`whileLost` runs then, e.g. a test's checks), then the
 * wait until every request started before that has ended; the figures are taken, the POP is
 * restored, and the call returns once its tunnels carry users again.
 */
export async function loseAndRestore(
  stack: Stack,
  pop: StackPop,
  way: LostVmWay,
  load: RequestLoops,
  whileLost?: (noticedAt: number) => Promise<void>,
): Promise<LostVmFigures> {
  const id = pop.connector.connectorId;
  const faultAt = Date.now();
  FAULTS[way].fault(pop);
  await waitUntil(
    `${way}: the ingress no longer choosing POP ${pop.index}`,
    async () => ((await routableTunnels(stack, id)) === 0 ? true : undefined),
    60_000,
  );
  const noticedAt = Date.now();
  await whileLost?.(noticedAt);
  await waitUntil(
    `${way}: the requests started before the ingress noticed ending`,
    async () => (load.inFlight().every((t) => t >= noticedAt) ? true : undefined),
    60_000,
  );
  // The last failure may be the request that ended just now: the figures wait for a success
  // after it (the loops go on), or they would be taken between the two.
  await waitUntil(
    `${way}: a request succeeding after the last failure`,
    async () => {
      const after = load.samples.filter((x) => x.end >= faultAt);
      const lastFailure = Math.max(faultAt, ...after.filter((x) => !x.ok).map((x) => x.end));
      return after.some((x) => x.ok && x.end >= lastFailure) ? true : undefined;
    },
    60_000,
  );
  const figures = lostVmFigures(way, [...load.samples], faultAt, noticedAt);
  await FAULTS[way].restore(pop);
  await pop.waitForTunnels(2, 120_000);
  const before = await stack.ingressStats();
  await waitUntil(
    `${way}: POP ${pop.index} carrying users again`,
    async () =>
      carriedBy(await stack.ingressStats(), id) > carriedBy(before, id) ? true : undefined,
    120_000,
  );
  await stack.waitForApp(stack.apps.web, 'up', 2 * stack.pops.length, 60_000);
  return figures;
}

/** The figures of each way as a table, one row a way. */
export function lostVmTable(rows: readonly LostVmFigures[]): string {
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

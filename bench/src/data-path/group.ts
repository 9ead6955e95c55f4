import { setTimeout as sleep } from 'node:timers/promises';
import {
  carriedBy,
  LOST_VM_WAYS,
  loseAndRestore,
  lostVmTable,
  type Stack,
  type StackPop,
  startRequestLoops,
  startStack,
  waitUntil,
} from '@pa-connector/e2e/dist/stack';
import { InternalApiRoutes } from '@pa-connector/sse-api';
import { median, round } from './percentiles';

export interface GroupBenchOptions {
  /** The connectors' settings (the data-path bench's production-like ones). */
  connectorEnv: Record<string, string>;
  healthStale: string;
  /** Seconds of each request-rate measurement (default 8). */
  seconds?: number;
  /** Concurrent request loops through the ingress (default 8). */
  loops?: number;
  say(line: string): void;
}

/** Rounds of the request rate, two connectors and one taking turns; the median counts. */
const ROUNDS = 3;

/** Requests per second that succeeded through the ingress over `seconds`, `loops` at once. */
async function requestRate(stack: Stack, loops: number, seconds: number): Promise<number> {
  const load = startRequestLoops(stack, loops);
  await sleep(seconds * 1000);
  await load.stop();
  return round(load.samples.filter((s) => s.ok).length / seconds);
}

async function drainCall(pop: StackPop, method: 'POST' | 'DELETE'): Promise<void> {
  const res = await fetch(`${pop.connector.url}${InternalApiRoutes.drain}`, {
    method,
    ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200 && res.status !== 202) {
    throw new Error(
      `group bench: ${method} drain of POP ${pop.index}: ${res.status} ${await res.text()}`,
    );
  }
}

/**
 * A group of two POPs, measured through the emulator's user ingress: the request rate with both
 * connectors against one (the other drained; rounds taking turns, so a burst of load elsewhere on
 * the machine weighs on both alike), each way of losing a VM under user load (requests
 * failed, seconds until requests succeed again), and the requests failed while one connector
 * drains and restarts (SIGTERM).
 */
export async function groupFigures(o: GroupBenchOptions): Promise<Record<string, number | string>> {
  const seconds = o.seconds ?? 8;
  const loops = o.loops ?? 8;
  const stack = await startStack({
    connectors: 2,
    connectorEnv: o.connectorEnv,
    healthStale: o.healthStale,
    progress: (line) => o.say(`group: ${line}`),
  });
  try {
    const pop2 = stack.pops[1] as StackPop;
    const out: Record<string, number | string> = {};

    o.say(
      `group: request rate through the ingress, ${loops} loops, two connectors then one, ${ROUNDS} rounds taking turns`,
    );
    const onlyPop1 = async () => {
      const before = carriedBy(await stack.ingressStats(), pop2.connector.connectorId);
      await sleep(2_000);
      return carriedBy(await stack.ingressStats(), pop2.connector.connectorId) === before
        ? true
        : undefined;
    };
    const twos: number[] = [];
    const ones: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      twos.push(await requestRate(stack, loops, seconds));
      await drainCall(pop2, 'POST');
      await waitUntil('group bench: the ingress leaving the drained POP 2 alone', onlyPop1, 60_000);
      ones.push(await requestRate(stack, loops, seconds));
      await drainCall(pop2, 'DELETE');
      await stack.waitForApp(stack.apps.web, 'up', 4, 60_000);
    }
    const two = median(twos);
    const one = median(ones);
    out.group_requests_per_s_2 = two;
    out.group_requests_per_s_1 = one;
    out.group_throughput_ratio_2_vs_1 = one > 0 ? round(two / one) : 'no requests with one';

    const load = startRequestLoops(stack, 4);
    const rows = [];
    try {
      for (const way of LOST_VM_WAYS) {
        o.say(`group: POP 2 lost by ${way}`);
        rows.push(await loseAndRestore(stack, pop2, way, load));
      }
    } finally {
      await load.stop();
    }
    o.say(`group: a lost VM, 4 user loops:\n${lostVmTable(rows)}`);
    const names = { kill: 'kill', cutNetwork: 'silent', freeze: 'frozen' } as const;
    for (const r of rows) {
      out[`group_failover_${names[r.way]}_s`] = round(r.recoveredS);
      out[`group_failover_${names[r.way]}_failed_requests`] = r.failed;
      out[`group_failover_${names[r.way]}_noticed_s`] = round(r.noticedS);
      out[`group_failover_${names[r.way]}_longest_request_s`] = round(r.longestS);
    }

    o.say('group: POP 2 drains (SIGTERM) and restarts under user load');
    const drainLoad = startRequestLoops(stack, 4);
    try {
      await sleep(1_000);
      await pop2.restartConnector({ signal: 'SIGTERM' });
      await stack.waitForApp(stack.apps.web, 'up', 4, 60_000);
      await sleep(1_000);
    } finally {
      await drainLoad.stop();
    }
    out.group_drain_failed_requests = drainLoad.samples.filter((s) => !s.ok).length;
    out.group_drain_requests = drainLoad.samples.length;
    return out;
  } finally {
    await stack.stop();
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../stack';
import { brokeAt, type ConnectorDown, drainPromised, excused } from './excuse';
import type { Fault, FaultContext } from './fault';
import type { FaultResult } from './fault-result';
import type { LogLedger } from './log-lines';
import type { Outcome } from './outcome';
import { checkReadyTruth } from './ready-truth';
import type { Resources } from './resources';
import { sampleResources } from './resources';
import { type StateWatch, type Transition, watchState } from './state-watch';
import { startUserLoad, type UserLoad, type UserLoadOptions } from './user-load';

export interface ChaosOptions {
  /** Load before each fault, to see the baseline is clean (default 3 s). */
  baselineMs?: number;
  /** Load after convergence before the resources are read again (default 3 s). */
  settleMs?: number;
  /** How long the stack may take to converge after a fault (default 120 s). */
  convergeMs?: number;
  load?: UserLoadOptions;
  /** A line per step (default: none). */
  progress?: (line: string) => void;
  /** Counts log lines per fault window (`logLines` of each result) once the faults are done. */
  logLines?: LogLedger;
}

/** Both tunnels connected, /ready 200 and the ingress routing over every gateway. */
function converged(stack: Stack, watch: StateWatch): boolean {
  if (watch.current('ready', 'ready') !== '200') return false;
  const tunnels = ['t1', 't2'].map((t) => watch.current('tunnel', t));
  if (tunnels.some((p) => p !== 'connected')) return false;
  return stack.gateways.every((g) => watch.current('ingress', g) === 'routable');
}

async function waitConverged(stack: Stack, watch: StateWatch, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (converged(stack, watch)) return true;
    await sleep(100);
  }
  return false;
}

const countBy = (keys: string[]): Record<string, number> =>
  keys.reduce<Record<string, number>>((m, k) => {
    m[k] = (m[k] ?? 0) + 1;
    return m;
  }, {});

/** What the run keeps of a fault until every request has ended and it can be judged. */
interface Pending {
  fault: string;
  gateway?: string;
  faultAt: number;
  windowEnd: number;
  convergedAt: number;
  ok: boolean;
  knewAt?: number;
  otherDown: boolean;
  all?: ConnectorDown;
  transitions: Transition[];
  before: Resources;
  after: Resources;
  error?: string;
}

/** The figures of one fault, from every outcome of the run (`nextFaultAt`: its window's end). */
function judge(
  p: Pending,
  outcomes: readonly Outcome[],
  nextFaultAt: number,
  say: (line: string) => void,
): FaultResult {
  const { gateway, faultAt, windowEnd, convergedAt, ok, knewAt, otherDown, all, transitions } = p;
  let error = p.error;
  const fault = { name: p.fault };
  const { before, after } = p;
  const inWindow = outcomes.filter((x) => x.endMs >= faultAt && x.startMs <= windowEnd);
  // A failure belongs to the window in which it broke, whenever it surfaced.
  const failed = outcomes.filter((x) => !x.ok && brokeAt(x) >= faultAt && brokeAt(x) < nextFaultAt);
  if (all?.drainMs !== undefined) {
    const promised = inWindow.filter((x) => drainPromised(x, all));
    say(
      `${fault.name}: ${promised.length} streams open at the stop, ${promised.filter((x) => x.ok).length} intact`,
    );
    // Without one, nothing tested the drain.
    if (!promised.length) error = error ?? 'no stream was open at the stop';
  }
  // Short requests only: a stream that fails may have stalled for seconds before it did.
  const failedShort = failed.filter((x) => x.kind === 'short').map((x) => x.startMs);
  const from = failedShort.length ? Math.min(...failedShort) + 1 : faultAt;
  const firstOk = inWindow
    .filter((x) => x.ok && x.kind === 'short' && x.startMs >= from)
    .sort((a, b) => a.endMs - b.endMs)[0];
  return {
    fault: fault.name,
    ...(gateway !== undefined ? { gateway } : {}),
    failed: failed.length,
    failures: failed.map((x) => ({
      kind: x.kind,
      startMs: x.startMs - faultAt,
      endMs: x.endMs - faultAt,
      ...(x.gateway !== undefined ? { gateway: x.gateway } : {}),
      why: x.why ?? '',
      excused: excused(x, {
        ...(gateway !== undefined ? { gateway } : {}),
        ...(knewAt !== undefined ? { knewAtMs: knewAt } : {}),
        convergedAtMs: convergedAt,
        otherTunnelWentDown: otherDown,
        ...(all ? { all } : {}),
      }),
    })),
    requestsByGateway: countBy(inWindow.map((x) => x.gateway ?? 'none')),
    requests: inWindow.length,
    altered: inWindow.filter((x) => x.alteredAt !== undefined).length,
    ...(firstOk ? { firstSuccessAfterMs: firstOk.endMs - faultAt } : {}),
    ...(ok ? { bothTunnelsAfterMs: convergedAt - faultAt } : {}),
    ...(knewAt !== undefined ? { ingressKnewAfterMs: knewAt - faultAt } : {}),
    transitions: transitions.map((t) => ({ ...t, atMs: t.atMs - faultAt })),
    before,
    after,
    ...(error ? { error } : {}),
  };
}

/** Runs `faults` one after the other under a steady user load; one result per fault. */
export async function runChaos(
  stack: Stack,
  faults: readonly Fault[],
  o: ChaosOptions = {},
): Promise<FaultResult[]> {
  const started = performance.now();
  const now = () => Math.round(performance.now() - started);
  const say = o.progress ?? (() => undefined);
  const watch = watchState(stack, now);
  const ctx: FaultContext = {
    stack,
    gatewayOf: (t) => {
      const g = watch.gatewayOf(t);
      if (!g) throw new Error(`no gateway known for tunnel ${t}`);
      return g;
    },
  };
  let load: UserLoad | undefined;
  const results: FaultResult[] = [];
  const pending: Pending[] = [];
  try {
    if (!(await waitConverged(stack, watch, o.convergeMs ?? 120_000))) {
      throw new Error('the stack did not converge before the first fault');
    }
    load = startUserLoad(stack, now, o.load);
    for (const fault of faults) {
      await sleep(o.baselineMs ?? 3_000);
      const before = await sampleResources(stack);
      const gateway = fault.gateway?.(ctx);
      const otherTunnels = ['t1', 't2'].filter((t) => watch.gatewayOf(t) !== gateway);
      const faultAt = now();
      o.logLines?.open();
      say(`${fault.name}: injected at ${faultAt} ms`);
      let error: string | undefined;
      try {
        await fault.run(ctx);
      } catch (err) {
        error = `injecting: ${(err as Error).message}`;
      }
      const restoredAt = now();
      const ok = await waitConverged(stack, watch, o.convergeMs ?? 120_000);
      const convergedAt = now();
      if (!ok) error = error ?? `not converged within ${(o.convergeMs ?? 120_000) / 1000} s`;
      say(`${fault.name}: ${ok ? `converged after ${convergedAt - faultAt} ms` : error}`);
      if (fault.truth) {
        const tunnels = ['t1', 't2'].filter((t) => !otherTunnels.includes(t));
        const truth = checkReadyTruth(fault.truth, watch, {
          faultAt,
          restoredAt,
          convergedAt,
          tunnels,
        });
        say(`${fault.name}: ${truth.line}`);
        error = error ?? truth.error;
      }
      const all: ConnectorDown | undefined =
        fault.breaks === 'all'
          ? {
              faultAtMs: faultAt,
              ...(fault.drainMs ? { drainMs: fault.drainMs(ctx) } : {}),
              // user-load.ts's default stream length
              streamMs: (o.load?.streamSeconds ?? 4) * 1000,
            }
          : undefined;
      await sleep(o.settleMs ?? 3_000);
      const after = await sampleResources(stack);
      const windowEnd = now();
      const transitions = watch.transitions.filter((t) => t.atMs >= faultAt && t.atMs <= windowEnd);
      const knewAt =
        gateway === undefined
          ? undefined
          : transitions.find(
              (t) => t.what === 'ingress' && t.name === gateway && t.value === 'not routable',
            )?.atMs;
      const otherDown = transitions.some(
        (t) => t.what === 'tunnel' && otherTunnels.includes(t.name) && t.value !== 'connected',
      );
      pending.push({
        fault: fault.name,
        ...(gateway !== undefined ? { gateway } : {}),
        faultAt,
        windowEnd,
        convergedAt,
        ok,
        ...(knewAt !== undefined ? { knewAt } : {}),
        otherDown,
        ...(all ? { all } : {}),
        transitions,
        before,
        after,
        ...(error ? { error } : {}),
      });
      if (!ok) break;
    }
    // Judged once every request has ended: a request that broke during one fault may surface
    // only later (a stream over a replaced tunnel is reset when the gateway's retransmission
    // reaches the new one, many seconds on); it belongs to the window in which it broke.
    await load.stop();
    pending.forEach((p, i) => {
      const next = pending[i + 1]?.faultAt ?? Number.POSITIVE_INFINITY;
      results.push(judge(p, load?.outcomes ?? [], next, say));
    });
    const early = (load.outcomes ?? []).filter(
      (x) => !x.ok && brokeAt(x) < (pending[0]?.faultAt ?? Number.POSITIVE_INFINITY),
    );
    if (early.length && results[0]) {
      results[0].error ??= `${early.length} request(s) failed before the first fault: ${early.map((x) => x.why).join('; ')}`;
    }
    // Log lines: counted at the end, when lines held back by an outage had time to arrive.
    if (o.logLines) {
      const overall = await o.logLines.account();
      results.forEach((r, i) => {
        r.logLines = o.logLines?.window(i);
      });
      say(`log lines: ${JSON.stringify(overall)}`);
    }
  } finally {
    await load?.stop();
    await watch.stop();
  }
  return results;
}

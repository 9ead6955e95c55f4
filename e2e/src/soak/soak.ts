import { setTimeout as sleep } from 'node:timers/promises';
import { type FaultResult, type LogLedger, runChaos, SOAK_FAULTS, unexcused } from '../chaos';
import type { Stack } from '../stack';
import { type ResourceSample, sampleAll } from './sampler';

/** What the soak measured so far; read by the report, also when the soak is interrupted. */
export interface SoakState {
  /** Every fault run, in order (FaultResult of the chaos runner). */
  results: FaultResult[];
  /** Minute 0 (warm-up), then one sample per interval. */
  samples: ResourceSample[];
  /** Rounds of the fault table started (the last one may stop part-way at the deadline). */
  rounds: number;
  /** An invariant that broke, one line each. */
  broken: string[];
}

export interface SoakOptions {
  minutes: number;
  intervalMinutes: number;
  /** No line per fault. */
  quiet: boolean;
  say: (line: string) => void;
  /** Ends the soak between two faults and stops sampling. */
  signal: AbortSignal;
  /** Opens a window per fault run, so its log lines are counted at the end (`logLines`). */
  ledger?: LogLedger;
}

const MINUTE_MS = 60_000;

/** What one fault run broke: unexcused failed requests, altered bytes, no convergence. */
function brokenBy(round: number, r: FaultResult): string[] {
  const out: string[] = [];
  const u = unexcused(r);
  if (u.length) {
    out.push(
      `round ${round}, ${r.fault}: ${u.length} unexcused failed request(s), first: ${u[0]?.kind} ${u[0]?.why}`,
    );
  }
  if (r.altered) out.push(`round ${round}, ${r.fault}: ${r.altered} stream(s) with altered bytes`);
  if (r.error) out.push(`round ${round}, ${r.fault}: ${r.error}`);
  return out;
}

function sampleLines(s: ResourceSample): string[] {
  const mib = (v: number | undefined) => (v === undefined ? '-' : (v / 1024 / 1024).toFixed(1));
  return Object.entries(s.services).map(
    ([name, v]) =>
      `sample minute ${s.minute} (load ${s.loadAverage.toFixed(1)}): ${name.padEnd(11)} RSS ${mib(v.rssBytes)} MiB  fds ${v.fds ?? '-'}  heap used ${mib(v.heapUsedBytes)} MiB  event loop delay p99 ${v.eventLoopP99Ms?.toFixed(1) ?? '-'} ms`,
  );
}

/** A sample at every multiple of the interval up to `minutes` (the first, minute 0, is taken by runSoak). */
async function sampleEveryInterval(
  stack: Stack,
  o: SoakOptions,
  state: SoakState,
  startedMs: number,
): Promise<void> {
  for (let minute = o.intervalMinutes; minute <= o.minutes; minute += o.intervalMinutes) {
    const wait = startedMs + minute * MINUTE_MS - Date.now();
    try {
      if (wait > 0) await sleep(wait, undefined, { signal: o.signal });
    } catch {
      return; // aborted
    }
    const s = await sampleAll(stack, minute);
    state.samples.push(s);
    for (const l of sampleLines(s)) o.say(l);
  }
}

/**
 * The soak: the short fault table again and again, one fault at a time under a steady user load
 * (each fault is one runChaos call: 3 s baseline, inject, converge, 3 s settle), until `minutes`
 * have passed; every service sampled every `intervalMinutes`. A fault that does not converge
 * ends the soak (the stack is no longer one to inject faults into). Fills `state` as it goes.
 */
export async function runSoak(stack: Stack, options: SoakOptions, state: SoakState): Promise<void> {
  // Once interrupted, the report is printed at once: a fault run in progress says nothing more.
  const o = {
    ...options,
    say: (line: string) => (options.signal.aborted ? undefined : options.say(line)),
  };
  const startedMs = Date.now();
  const deadline = startedMs + o.minutes * MINUTE_MS;
  const elapsed = () => {
    const s = Math.round((Date.now() - startedMs) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const warmUp = await sampleAll(stack, 0);
  state.samples.push(warmUp);
  for (const l of sampleLines(warmUp)) o.say(l);
  const stopSampling = new AbortController();
  const sampling = sampleEveryInterval(
    stack,
    { ...o, signal: AbortSignal.any([o.signal, stopSampling.signal]) },
    state,
    startedMs,
  );
  try {
    rounds: while (Date.now() < deadline && !o.signal.aborted) {
      state.rounds++;
      if (!o.quiet) o.say(`[${elapsed()}] round ${state.rounds}`);
      // A restarted service starts its figures afresh: restarts in the first round only, so
      // that the growth of every service can be judged over the rest of the soak.
      const table = state.rounds === 1 ? SOAK_FAULTS : SOAK_FAULTS.filter((f) => !f.restarts);
      for (const fault of table) {
        if (Date.now() >= deadline || o.signal.aborted) break rounds;
        let r: FaultResult | undefined;
        try {
          o.ledger?.open();
          [r] = await runChaos(stack, [fault], {
            progress: (l) => (o.quiet ? undefined : o.say(`[${elapsed()}]   ${l}`)),
          });
        } catch (err) {
          if (o.signal.aborted) break rounds;
          const b = `round ${state.rounds}, before ${fault.name}: ${(err as Error).message}`;
          state.broken.push(b);
          o.say(`[${elapsed()}] BROKEN: ${b}`);
          break rounds;
        }
        if (o.signal.aborted) break rounds;
        if (!r) continue;
        state.results.push(r);
        if (!o.quiet) {
          const u = unexcused(r).length;
          o.say(
            `[${elapsed()}]   ${r.fault}: ${r.failed} of ${r.requests} requests failed${u ? ` (${u} unexcused)` : ''}, first success after ${r.firstSuccessAfterMs ?? '-'} ms`,
          );
        }
        const broke = brokenBy(state.rounds, r);
        state.broken.push(...broke);
        for (const b of broke) o.say(`[${elapsed()}] BROKEN: ${b}`);
        if (r.error) break rounds;
      }
    }
  } finally {
    if (Date.now() < deadline || state.broken.length) stopSampling.abort();
    await sampling;
  }
}

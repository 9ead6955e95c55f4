import type { StateWatch } from './state-watch';

/**
 * What the connector's /ready must come to show while a fault holds, when the truth is known:
 * - `tunnel down`: the tunnel to the fault's gateway leaves `connected` (/ready stays 200 while
 *   the other tunnel is up: it needs one), and comes back;
 * - `not ready`: /ready leaves 200 (503, or no answer at all), and comes back;
 * - `steady`: nothing /ready tracks is broken (the SSE is not one of its checks): /ready stays
 *   200 with every tunnel connected throughout.
 * `withinMs` is how long the connector may take to notice by design (its check interval for
 * that kind of fault), printed beside the lag; only that /ready noticed at all before the stack
 * converged again is asserted.
 */
export type ReadyTruth =
  | { shows: 'tunnel down' | 'not ready'; withinMs: number; interval: string }
  | { shows: 'steady' };

/**
 * The watch waits 200 ms between two answers of /ready (state-watch.ts): a lag may exceed
 * `withinMs` by that and one request's time.
 */
const WATCH_SAMPLING_MS = 200;
/** The tunnel's silence poll (services/connector/src/edge/tunnel.ts SILENCE_POLL_MS). */
const SILENCE_POLL_MS = 250;

/** What /ready must come to show, within how long by design, and which interval sets that. */
function truth(shows: 'tunnel down' | 'not ready', withinMs: number, interval: string): ReadyTruth {
  return { shows, withinMs, interval };
}

/**
 * A gateway gone (killed, stopped, frozen, out of reach): nothing comes from it, and the
 * connector reconnects after PA_TUNNEL_SILENCE_TIMEOUT (default 1.5 s, the chaos stack keeps it)
 * measured on a 250 ms poll.
 */
export const GATEWAY_GONE = truth(
  'tunnel down',
  1_500 + SILENCE_POLL_MS,
  'PA_TUNNEL_SILENCE_TIMEOUT + its poll',
);

/** The connector's openvpn ended: its child's exit event says so at once. */
export const OPENVPN_ENDED = truth('tunnel down', 0, 'the exit event');

/**
 * The connector's openvpn frozen: the management probe asks every 2 s and gives up after 5 s
 * (edge/tunnel.ts MANAGEMENT_PROBE_INTERVAL_MS, MANAGEMENT_TIMEOUT_MS).
 */
export const OPENVPN_FROZEN = truth(
  'tunnel down',
  2_000 + 5_000,
  'the management probe (2 s + 5 s)',
);

/** The connector killed: /ready answers nothing until the next one listens. */
export const CONNECTOR_GONE = truth('not ready', 0, 'the process ends');

/**
 * The connector stopped: from the SIGTERM on it refuses new streams while open ones drain, and
 * /ready says so (503, `accepting` false), then answers nothing.
 */
export const CONNECTOR_STOPPED = truth('not ready', 0, 'the stop begins');

/** Nothing /ready tracks breaks (the SSE is not one of its checks). */
export const STEADY: ReadyTruth = { shows: 'steady' };

export interface TruthCheck {
  /** A line with the figures (lag from the injection, back after the restore). */
  line: string;
  /** Why /ready did not tell the truth (absent when it did). */
  error?: string;
}

/**
 * Checks `truth` against what the watch saw between the injection (`faultAt`) and convergence
 * (`convergedAt`); `restoredAt` is when the fault's run ended, `tunnels` the tunnels to the
 * faulted gateway (for `tunnel down`). Times on the watch's time base.
 */
export function checkReadyTruth(
  truth: ReadyTruth,
  watch: StateWatch,
  w: { faultAt: number; restoredAt: number; convergedAt: number; tunnels: readonly string[] },
): TruthCheck {
  const seen = watch.transitions.filter((t) => t.atMs >= w.faultAt && t.atMs <= w.convergedAt);
  if (truth.shows === 'steady') {
    const lie = seen.find(
      (t) =>
        (t.what === 'ready' && t.value !== '200') ||
        (t.what === 'tunnel' && t.value !== 'connected'),
    );
    return lie
      ? {
          line: `/ready: ${lie.name} ${lie.value} at ${lie.atMs - w.faultAt} ms`,
          error: `/ready showed ${lie.name} ${lie.value} though nothing it tracks broke`,
        }
      : { line: '/ready: 200, tunnels connected throughout' };
  }
  const item =
    truth.shows === 'tunnel down'
      ? (t: (typeof seen)[number]) => t.what === 'tunnel' && w.tunnels.includes(t.name)
      : (t: (typeof seen)[number]) => t.what === 'ready';
  const healthy = truth.shows === 'tunnel down' ? 'connected' : '200';
  const what = truth.shows === 'tunnel down' ? `tunnel ${w.tunnels.join(', ')}` : '/ready';
  const down = seen.find((t) => item(t) && t.value !== healthy);
  if (!down) {
    return {
      line: `/ready: never showed ${what} down`,
      error: `/ready never showed ${what} down before the stack converged`,
    };
  }
  const back = seen.find((t) => item(t) && t.atMs >= down.atMs && t.value === healthy);
  const lag = down.atMs - w.faultAt;
  const bound = truth.withinMs + WATCH_SAMPLING_MS;
  return {
    line:
      `/ready: ${what} ${down.value} after ${lag} ms (by design within ${bound} ms: ` +
      `${truth.interval} + the watch's sampling)` +
      (back ? `, ${healthy} again ${back.atMs - w.restoredAt} ms after the restore` : ''),
  };
}

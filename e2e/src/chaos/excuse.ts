import type { Outcome } from './outcome';

/** A fault that takes the whole connector down (`breaks: 'all'`), on the run's time base. */
export interface ConnectorDown {
  faultAtMs: number;
  /** Its drain grace when it stops gracefully. */
  drainMs?: number;
  /** How long a stream of the load sends. */
  streamMs: number;
}

/** What the run knows of one fault when it judges its failed requests (run's time base). */
export interface FaultFacts {
  /** The gateway whose tunnel the fault breaks (absent: none is meant to break). */
  gateway?: string;
  /** When the ingress first marked that gateway not routable (absent: it never did). */
  knewAtMs?: number;
  /** When the stack converged again after the fault. */
  convergedAtMs: number;
  /** The tunnel over the other gateway left `connected` during the fault. */
  otherTunnelWentDown: boolean;
  /** Set when the fault takes the connector down. */
  all?: ConnectorDown;
}

/** A stream open at a graceful stop (established before it) whose whole length fits the drain. */
export function drainPromised(o: Outcome, all: ConnectorDown): boolean {
  return (
    o.kind === 'stream' &&
    all.drainMs !== undefined &&
    (o.sent ?? 0) > 0 &&
    o.startMs < all.faultAtMs &&
    o.endMs > all.faultAtMs &&
    o.startMs + all.streamMs < all.faultAtMs + all.drainMs
  );
}

/**
 * Whether a failed request is excused. The rule: no request fails while at least one tunnel stays
 * healthy and the ingress knows it.
 * - A fault that breaks no tunnel excuses nothing.
 * - A fault that takes the connector down excuses what started before convergence, except a
 *   stream the drain promises to let finish: established before the stop, and its whole length
 *   within the drain grace.
 * - Carried over the faulted gateway (the ingress's `X-PA-Gateway`): excused when it started
 *   before the stack converged again (until then the ingress could not know the gateway was
 *   about to break, or break again).
 * - Carried over the other gateway: excused only when the other tunnel went down too.
 * - No gateway known (the CONNECT failed before a tunnel was chosen): excused when it started
 *   while the ingress could still route over the faulted gateway (before it marked it not
 *   routable or, when it never did, before convergence), or when the other tunnel went down.
 */
export function excused(o: Outcome, f: FaultFacts): boolean {
  if (f.all) return !drainPromised(o, f.all) && o.startMs < f.convergedAtMs;
  if (f.gateway === undefined) return false;
  if (o.gateway === f.gateway) return o.startMs < f.convergedAtMs;
  if (o.gateway !== undefined) return f.otherTunnelWentDown;
  if (f.otherTunnelWentDown) return true;
  return o.startMs < (f.knewAtMs ?? f.convergedAtMs);
}

/**
 * A stream gets its echo every 50 ms while the path works: it broke at most this long after it
 * last received a byte.
 */
const PROGRESS_SLACK_MS = 1_000;

/**
 * A short request takes milliseconds while the path works (tens under load on two CPUs): one that
 * failed had its path broken at most this long after it was sent.
 */
const SHORT_SLACK_MS = 500;

/**
 * When a failed request broke, at the latest: a short request within the slack after it was sent
 * (or when it ended, when sooner: an answer that came back refused); a stream within the slack
 * after it last received anything (or when it ended, when it never did, or sooner).
 *
 * The latest moment, not the first: the fault window a failure belongs to is the last one opened
 * by then. A request sent a few milliseconds before the next fault is injected is still in flight
 * when it is; that fault broke it, not the one before, whose stack had converged seconds earlier.
 */
export function brokeAt(x: Outcome): number {
  if (x.kind === 'short') return Math.min(x.endMs, x.startMs + SHORT_SLACK_MS);
  return x.lastProgressMs === undefined
    ? x.endMs
    : Math.min(x.endMs, x.lastProgressMs + PROGRESS_SLACK_MS);
}

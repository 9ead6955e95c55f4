import type { Stack } from '../stack';
import type { ReadyTruth } from './ready-truth';

/** What a fault may use while it is injected and restored. */
export interface FaultContext {
  stack: Stack;
  /** The gateway the connector's tunnel `t1`/`t2` goes to. */
  gatewayOf(tunnel: string): string;
}

export interface Fault {
  name: string;
  /**
   * The gateway whose tunnel the fault breaks; absent when it touches no tunnel (Redis, the
   * SSE): then the users must not notice it at all.
   */
  gateway?: (ctx: FaultContext) => string;
  /**
   * `all`: the fault takes the connector itself down, so both tunnels (a stop or a crash and the
   * restart after it). Failures from the injection until the stack converged are excused, except
   * what the drain promises (`drainMs`).
   */
  breaks?: 'all';
  /**
   * With `breaks: 'all'` and a graceful stop: the connector's drain grace (PA_PROXY_DRAIN_GRACE).
   * A stream established before the injection that would end within it must come back intact.
   */
  drainMs?: (ctx: FaultContext) => number;
  /** What /ready must come to show while the fault holds, when that is known (ready-truth.ts). */
  truth?: ReadyTruth;
  /**
   * The POP service the fault ends and starts again (a new process): the soak runs it in its
   * first round only, so that every service's growth can be judged over the rest.
   */
  restarts?: 'connector' | 'logging';
  /** Injects the fault, holds it as long as it lasts, restores what needs restoring. */
  run(ctx: FaultContext): Promise<void>;
}

import type { Stack } from '../stack';

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
  /** Injects the fault, holds it as long as it lasts, restores what needs restoring. */
  run(ctx: FaultContext): Promise<void>;
}

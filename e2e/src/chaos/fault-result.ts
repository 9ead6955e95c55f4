import type { LogLineCounts } from './log-lines';
import type { Resources } from './resources';
import type { Transition } from './state-watch';

/** The figures of one fault (times in ms from the moment it was injected). */
export interface FaultResult {
  fault: string;
  /** The gateway whose tunnel the fault broke (absent: none was meant to break). */
  gateway?: string;
  /** Requests (short and streams) that failed from the fault until the stack converged. */
  failed: number;
  /**
   * Each failed request, the gateway that carried it (absent: no tunnel was chosen) and whether
   * the rule excuses it (see `excused` in excuse.ts).
   */
  failures: Array<{
    kind: string;
    startMs: number;
    endMs: number;
    gateway?: string;
    why: string;
    excused: boolean;
  }>;
  /** Requests (short and streams) that ended in the same window, failed or not. */
  requests: number;
  /** Those requests per carrying gateway (`none`: the CONNECT failed before one was chosen). */
  requestsByGateway?: Record<string, number>;
  /** Streams whose echo differed from what was sent. */
  altered: number;
  /**
   * The first short request that started after the fault (after the first failed short request,
   * when one failed) succeeded this long after the fault.
   */
  firstSuccessAfterMs?: number;
  /** Both tunnels connected, /ready 200 and both gateways routable again. */
  bothTunnelsAfterMs?: number;
  /** When the ingress first stopped routing over the faulted gateway. */
  ingressKnewAfterMs?: number;
  /** Changes of /ready, tunnel phases and ingress routability during the fault. */
  transitions: Transition[];
  /**
   * Log lines printed from this fault's injection until the next one, against the lines the
   * logging service stored, counted once the stack converged at the end (absent without a
   * ledger).
   */
  logLines?: LogLineCounts;
  before: Resources;
  after: Resources;
  /** Why the stack did not converge (absent when it did). */
  error?: string;
}

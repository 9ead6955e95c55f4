import type { Stack } from './stack-types';

/** One user request of a load: when it ran, and whether it got the app's answer. */
export interface RequestSample {
  /** Date.now() when it started and when it ended. */
  start: number;
  end: number;
  ok: boolean;
  /** Why it failed (the refusal, the error). */
  why?: string;
}

export interface RequestLoops {
  /** Every request so far, in the order they ended. */
  samples: RequestSample[];
  /** Date.now() at the start of each request still under way. */
  inFlight(): number[];
  /** Ends the loops after their current request; resolves once they have. */
  stop(): Promise<void>;
}

/**
 * `loops` concurrent loops of `stack.request('/')` through the ingress, one after the other in
 * each loop, until stopped: a steady user load whose every request is timed.
 */
export function startRequestLoops(stack: Stack, loops: number): RequestLoops {
  const samples: RequestSample[] = [];
  let running = true;
  const current = new Set<{ start: number }>();
  const loop = async () => {
    while (running) {
      const start = Date.now();
      const mark = { start };
      current.add(mark);
      try {
        const a = await stack.request('/');
        const ok = a.status === 200;
        samples.push({
          start,
          end: Date.now(),
          ok,
          ...(ok ? {} : { why: a.refusal ?? `HTTP ${a.status}` }),
        });
      } catch (err) {
        samples.push({ start, end: Date.now(), ok: false, why: (err as Error).message });
      } finally {
        current.delete(mark);
      }
    }
  };
  const done = Promise.all(Array.from({ length: loops }, loop));
  return {
    samples,
    inFlight: () => [...current].map((m) => m.start),
    stop: async () => {
      running = false;
      await done;
    },
  };
}

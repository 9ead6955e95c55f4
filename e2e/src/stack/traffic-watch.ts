import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack, TunnelDetail } from './stack-types';

export interface TrafficReport {
  /** Requests answered 200 by the app through the ingress. */
  ok: number;
  /** Every other outcome: when the request was sent and when it ended (ms since start), and why. */
  failed: Array<{ sentMs: number; atMs: number; why: string }>;
  /** Tunnel samples taken (answers of the connector's /ready with tunnels in them). */
  samples: number;
  /** Samples in which no tunnel was connected. */
  noneUp: Array<{ atMs: number; tunnels: Record<string, string> }>;
  /** Per tunnel: samples in which it was not connected. */
  downSamples: Record<string, number>;
}

/** A sample whose tunnel phases differ from the sample before it. */
export interface PhaseChange {
  atMs: number;
  phases: Record<string, string>;
}

export interface TrafficWatch {
  /** Ends both loops and resolves with what they saw. */
  stop(): Promise<TrafficReport>;
  /** The latest tunnel sample. */
  latest(): Record<string, TunnelDetail>;
  /**
   * Every change of the tunnel phases seen so far, oldest first. A state that lasted less than
   * a caller's polling interval is still here (polling `latest()` may miss it).
   */
  changes(): readonly PhaseChange[];
  /** Now, in ms since the watch started (the time base of the report). */
  elapsed(): number;
}

/**
 * A user's steady request loop through the ingress (one request at a time, `pauseMs` apart) and
 * a sampler of the connector's tunnel phases beside it, for tests that change something under
 * running traffic.
 */
export function watchTraffic(stack: Stack, o: { pauseMs?: number; sampleMs?: number } = {}) {
  const started = performance.now();
  const at = () => Math.round(performance.now() - started);
  const report: TrafficReport = { ok: 0, failed: [], samples: 0, noneUp: [], downSamples: {} };
  let running = true;
  let latest: Record<string, TunnelDetail> = {};
  const changes: PhaseChange[] = [];
  let lastKey = '';
  const requests = (async () => {
    while (running) {
      const sentMs = at();
      try {
        const a = await stack.request('/');
        if (a.connectStatus === 200 && a.status === 200) report.ok++;
        else
          report.failed.push({
            sentMs,
            atMs: at(),
            why: `CONNECT ${a.connectStatus} ${a.refusal ?? ''} status ${a.status ?? '-'}`,
          });
      } catch (err) {
        report.failed.push({ sentMs, atMs: at(), why: (err as Error).message });
      }
      await sleep(o.pauseMs ?? 100);
    }
  })();
  const sampler = (async () => {
    while (running) {
      const t = await stack.tunnels();
      const names = Object.keys(t);
      if (names.length > 0) {
        latest = t;
        report.samples++;
        const phases = Object.fromEntries(Object.entries(t).map(([n, v]) => [n, v.phase]));
        const key = JSON.stringify(phases);
        if (key !== lastKey) {
          changes.push({ atMs: at(), phases });
          lastKey = key;
        }
        for (const [name, v] of Object.entries(t)) {
          if (v.phase !== 'connected')
            report.downSamples[name] = (report.downSamples[name] ?? 0) + 1;
        }
        if (!Object.values(t).some((v) => v.phase === 'connected')) {
          report.noneUp.push({
            atMs: at(),
            tunnels: Object.fromEntries(Object.entries(t).map(([n, v]) => [n, v.phase])),
          });
        }
      }
      await sleep(o.sampleMs ?? 100);
    }
  })();
  return {
    latest: () => latest,
    changes: () => changes,
    elapsed: at,
    async stop() {
      running = false;
      await Promise.all([requests, sampler]);
      return report;
    },
  } satisfies TrafficWatch;
}

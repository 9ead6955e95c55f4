import { setTimeout as sleep } from 'node:timers/promises';
import { getJson, type Stack } from '../stack';

/** A change seen by the watch: the connector's /ready status, a tunnel phase, or whether the
 * ingress may route over a gateway (it runs and holds a fresh health update). */
export interface Transition {
  atMs: number;
  what: 'ready' | 'tunnel' | 'ingress';
  /** `ready`, a tunnel name (`t1`), or a gateway name. */
  name: string;
  value: string;
}

/** The phase noted for a tunnel that went down and came back between two samples. */
const BETWEEN_SAMPLES = 'down and up between samples';

interface GatewayView {
  running: boolean;
  health?: Array<{ stale: boolean }>;
}

export interface StateWatch {
  readonly transitions: readonly Transition[];
  /** Latest values by `what:name`. */
  current(what: Transition['what'], name: string): string | undefined;
  /** The gateway a tunnel goes to (from /ready), once seen. */
  gatewayOf(tunnel: string): string | undefined;
  stop(): Promise<void>;
}

/**
 * Samples, every `everyMs`, the connector's /ready (status and tunnel phases) and each gateway's
 * admin view, and keeps the transitions with their times. One loop per source, so a source that
 * hangs (a frozen gateway's management socket) does not stall the others.
 */
export function watchState(stack: Stack, now: () => number, everyMs = 200): StateWatch {
  const transitions: Transition[] = [];
  const latest = new Map<string, string>();
  const gateways = new Map<string, string>();
  /** Per tunnel, its `since` and reconnect count at the last sample. */
  const seenTunnels = new Map<string, string>();
  let running = true;
  const note = (what: Transition['what'], name: string, value: string) => {
    const key = `${what}:${name}`;
    if (latest.get(key) === value) return;
    latest.set(key, value);
    transitions.push({ atMs: now(), what, name, value });
  };
  const connectorLoop = async () => {
    while (running) {
      try {
        const r = await getJson(`${stack.connector.url}/ready`);
        note('ready', 'ready', String(r.status));
        const body = r.body as {
          checks?: {
            tunnels?: {
              detail?: {
                tunnels?: Record<
                  string,
                  { phase: string; gateway: string; since?: string; reconnects?: number }
                >;
              };
            };
          };
        };
        for (const [t, v] of Object.entries(body.checks?.tunnels?.detail?.tunnels ?? {})) {
          gateways.set(t, v.gateway);
          // A tunnel down and up again between two samples (an openvpn replaced within a few
          // hundred ms) shows as connected both times, but with a new `since` and one more
          // reconnect: noted as a down state at this sample, so it is never missed.
          const before = seenTunnels.get(t);
          const now = `${v.since ?? ''}/${v.reconnects ?? ''}`;
          seenTunnels.set(t, now);
          if (
            before !== undefined &&
            before !== now &&
            v.phase === 'connected' &&
            latest.get(`tunnel:${t}`) === 'connected'
          ) {
            note('tunnel', t, BETWEEN_SAMPLES);
          }
          note('tunnel', t, v.phase);
        }
      } catch {
        note('ready', 'ready', 'no answer');
      }
      await sleep(everyMs);
    }
  };
  const gatewayLoop = async (g: string) => {
    while (running) {
      try {
        const v = await stack.admin<GatewayView>('GET', `/admin/gateways/${g}`);
        const fresh = (v.health ?? []).some((h) => !h.stale);
        note('ingress', g, v.running && fresh ? 'routable' : 'not routable');
      } catch {
        // The admin API itself did not answer: no new information.
      }
      await sleep(everyMs);
    }
  };
  const loops = [connectorLoop(), ...stack.gateways.map(gatewayLoop)];
  return {
    transitions,
    current: (what, name) => latest.get(`${what}:${name}`),
    gatewayOf: (t) => gateways.get(t),
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

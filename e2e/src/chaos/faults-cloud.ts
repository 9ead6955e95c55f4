import { setTimeout as sleep } from 'node:timers/promises';
import { openvpnChildren, type Stack, stillOpenvpn } from '../stack';
import type { Fault } from './fault';
import { CONNECTOR_GONE, CONNECTOR_STOPPED, STEADY } from './ready-truth';

/** The connector's drain grace as the stack sets it (`5s`, `500ms`); its own default is 10 s. */
function drainGraceMs(stack: Stack): number {
  const text = stack.connectorEnv.PA_PROXY_DRAIN_GRACE;
  if (text === undefined) return 10_000;
  const m = /^(\d+)(ms|s)$/.exec(text);
  if (!m) throw new Error(`PA_PROXY_DRAIN_GRACE=${text}: not a duration this harness reads`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** Every SSE endpoint answers as `fault` says for `holdMs`, then normally again. */
function sseFault(name: string, fault: Record<string, unknown>, holdMs: number): Fault {
  return {
    name,
    // The SSE is not on the data path: users must not notice, /ready stays 200.
    truth: STEADY,
    async run({ stack }) {
      await stack.admin('PUT', '/admin/faults/*', fault);
      try {
        await sleep(holdMs);
      } finally {
        await stack.admin('DELETE', '/admin/faults');
      }
    },
  };
}

/**
 * The SSE down, slow, answering garbage, each held `holdMs` (15 s in the short table, 60 s in
 * the soak; its 503 is in BASIC_FAULTS); then the connector stopped with streams open (a drain)
 * and crashed, each started again as compose would.
 */
export function cloudFaults(holdMs: number): Fault[] {
  const s = `${holdMs / 1000} s`;
  return [
    sseFault(`SSE down ${s}`, { mode: 'down' }, holdMs),
    sseFault(`SSE 5 s per answer ${s}`, { mode: 'slow', delayMs: 5_000 }, holdMs),
    sseFault(`SSE answering not-JSON ${s}`, { mode: 'malformed', variant: 'not-json' }, holdMs),
    sseFault(
      `SSE answering JSON without its fields ${s}`,
      { mode: 'malformed', variant: 'missing-fields' },
      holdMs,
    ),
    {
      name: 'connector SIGTERM with streams open (drain)',
      breaks: 'all',
      restarts: 'connector',
      drainMs: ({ stack }) => drainGraceMs(stack),
      truth: CONNECTOR_STOPPED,
      async run({ stack }) {
        // The load's streams run back to back: make sure some are open through the connector.
        const open = async () =>
          (await stack.ingressStats()).tunnels.reduce((n, t) => n + t.active, 0);
        for (let i = 0; i < 50 && (await open()) === 0; i++) await sleep(20);
        await stack.restartConnector({ signal: 'SIGTERM' });
      },
    },
    {
      name: 'connector SIGKILL (crash)',
      breaks: 'all',
      restarts: 'connector',
      truth: CONNECTOR_GONE,
      async run({ stack }) {
        const left = Object.values(openvpnChildren(stack.connector.process.pid));
        await stack.restartConnector({ signal: 'SIGKILL' });
        const alive = stillOpenvpn(left);
        if (alive.length > 0) {
          for (const pid of alive) process.kill(pid, 'SIGKILL');
          throw new Error(
            `openvpn ${alive.join(', ')} of the killed connector still ran after its restart`,
          );
        }
      },
    },
  ];
}

/** The cloud faults of the short table (15 s each). */
export const CLOUD_FAULTS: readonly Fault[] = cloudFaults(15_000);

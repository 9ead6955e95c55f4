import { requireBinary, requireRoot } from '@pa-connector/test-support';
import {
  type IngressStats,
  openUserStream,
  type Stack,
  type StackPop,
  startRequestLoops,
  startStack,
  type UserStream,
} from '../src/stack';

/**
 * One connector of a group of two drains (SIGTERM) while users keep coming: the other carries
 * every new request, none fails, and a user's stream open on the draining one runs to its end
 * within the drain grace before the connector stops and comes back.
 */

jest.setTimeout(600_000);

const GRACE_S = 15;
const STREAM_S = 6;

/** Streams open over a connector's tunnels, as the ingress counts them. */
function active(stats: IngressStats, connectorId: string): number {
  return stats.tunnels
    .filter((t) => t.connectorId === connectorId)
    .reduce((n, t) => n + t.active, 0);
}

/** Opens `GET /stream` through the ingress until one is carried by `pop` (round-robin). */
async function streamOn(stack: Stack, pop: StackPop): Promise<UserStream & { text(): string }> {
  for (let i = 0; i < 8; i++) {
    const before = active(await stack.ingressStats(), pop.connector.connectorId);
    const stream = await openUserStream(stack, STREAM_S);
    let text = '';
    stream.socket.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    if (active(await stack.ingressStats(), pop.connector.connectorId) > before) {
      return { ...stream, text: () => text };
    }
    stream.close();
  }
  throw new Error(`no stream landed on POP ${pop.index} in 8 tries`);
}

describe('graceful drain of one connector of a group of two', () => {
  let stack: Stack | undefined;

  beforeAll(() => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('SIGTERM to POP 2: no user request fails, its open stream finishes within the grace', async () => {
    stack = await startStack({
      connectors: 2,
      connectorEnv: { PA_PROXY_DRAIN_GRACE: `${GRACE_S}s` },
    });
    const s = stack;
    const pop2 = s.pops[1] as StackPop;
    // The stream first, so the load's short requests do not blur which connector carries it.
    const stream = await streamOn(s, pop2);
    const load = startRequestLoops(s, 4);
    let sigtermAt = 0;
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      sigtermAt = performance.now();
      await pop2.restartConnector({ signal: 'SIGTERM' });
      // Users go on over both connectors again.
      await s.waitForApp(s.apps.web, 'up', 4, 60_000);
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      await load.stop();
      stream.close();
    }
    const failed = load.samples.filter((x) => !x.ok);
    process.stdout.write(
      `drain of POP 2: ${load.samples.length} requests, ${failed.length} failed; stream ${stream.ended()?.how ?? 'open'} ${(((stream.ended()?.at ?? performance.now()) - sigtermAt) / 1000).toFixed(1)} s after the SIGTERM\n`,
    );
    expect(load.samples.length).toBeGreaterThan(20);
    expect(failed).toEqual([]);
    // The stream ran to its end (its last line and the chunked end) before the grace was over.
    expect(stream.text()).toMatch(/done from app[12]\n\r\n0\r\n\r\n$/);
    const finishedAt = stream.lastDataAt();
    expect((finishedAt - sigtermAt) / 1000).toBeLessThan(GRACE_S);
  });
});

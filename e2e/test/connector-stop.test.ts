import type { Socket } from 'node:net';
import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { connectThrough, type Stack, startStack } from '../src/stack';

/**
 * A connector stopped while a user's stream through its proxy stays open past the drain grace:
 * the stream is cut when the grace is over, and the process still stops cleanly (exit 0, tunnels
 * stopped, the last heartbeat written) instead of being cut short by its own stop timeout.
 */
describe('connector stop with a stream open past the drain grace', () => {
  let stack: Stack;
  let user: Socket | undefined;

  beforeAll(async () => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    requireBinary('redis-cli', 'redis-tools');
    stack = await startStack({
      // The default grace: the one the process-level stop timeout used to equal.
      connectorEnv: { PA_PROXY_DRAIN_GRACE: '10s' },
      services: [],
      progress: (l) => process.stdout.write(`stack: ${l}\n`),
    });
  });

  afterAll(async () => {
    user?.destroy();
    await stack?.stop();
  });

  it('cuts the stream at the end of the grace, runs its cleanup and exits 0', async () => {
    await stack.waitForApp(stack.apps.web, 'up', 2);
    const ingressHost = new URL(stack.emulator.ingressUrl).hostname;
    const c = await connectThrough(ingressHost, stack.emulator.ingressPort, stack.apps.web.address);
    expect(c.status).toBe(200);
    user = c.socket;
    user.resume();
    const cut = new Promise<void>((resolve) => user?.once('close', () => resolve()));

    const proc = stack.connector.process;
    const stopAt = performance.now();
    proc.child.kill('SIGTERM');
    await proc.waitForLine(/"msg":"drain started: /, 10_000);
    const code = await proc.exited;
    const took = performance.now() - stopAt;
    process.stdout.write(`connector stopped in ${(took / 1000).toFixed(1)} s, exit ${code}\n`);
    await cut;

    const lines = proc.tail(200).join('\n');
    // The stop is a drain: its grace ends by cutting the stream still open.
    expect(lines).toContain('"msg":"drain grace over; cut the connections left open"');
    expect(lines).toMatch(/"reason":"stop","graceMs":10000,"open":1,"msg":"drain started: /);
    expect(lines).not.toContain('graceful stop took too long');
    expect(lines).toContain('"msg":"tunnel stopped"');
    expect(lines).toContain('"msg":"stopped"');
    expect(code).toBe(0);
    expect(took).toBeGreaterThanOrEqual(10_000);
  });
});

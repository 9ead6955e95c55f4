import type { Socket } from 'node:net';
import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { connectThrough, getJson, type Stack, startStack } from '../src/stack';

/**
 * A connector stopped while a user's stream is open: the proxy refuses new streams at once and
 * lets the open one drain; /ready says so from the start of the stop (503, `accepting` false)
 * instead of answering 200 for as long as the drain lasts.
 */
describe('connector stop: /ready while open streams drain', () => {
  let stack: Stack;
  let user: Socket | undefined;

  beforeAll(async () => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    stack = await startStack({
      connectorEnv: { PA_PROXY_DRAIN_GRACE: '10s' },
      progress: (l) => process.stdout.write(`stack: ${l}\n`),
    });
  });

  afterAll(async () => {
    user?.destroy();
    await stack?.stop();
  });

  it('answers 503 with accepting false during the drain, 200 once started again', async () => {
    const ingressHost = new URL(stack.emulator.ingressUrl).hostname;
    const c = await connectThrough(ingressHost, stack.emulator.ingressPort, stack.apps.web.address);
    expect(c.status).toBe(200);
    user = c.socket;
    user.resume();

    const stopping = stack.connector.process;
    const restarted = stack.restartConnector({ signal: 'SIGTERM' });
    await stopping.waitForLine(/"msg":"proxy draining open connections"/, 10_000);
    const during = await getJson(`${stack.connector.url}/ready`);
    // The stream ends: the drain is over and the connector starts again.
    user.destroy();
    await restarted;
    const after = await getJson(`${stack.connector.url}/ready`);

    const checks = (during.body as { checks?: Record<string, { ok: boolean }> }).checks;
    expect({ status: during.status, accepting: checks?.accepting }).toEqual({
      status: 503,
      accepting: { ok: false },
    });
    expect(after.status).toBe(200);
  });
});

import type { Socket } from 'node:net';
import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { connectThrough, getJson, type Stack, startStack, waitUntil } from '../src/stack';

interface GatewayView {
  health?: Array<{
    stale: boolean;
    body: { connectorId?: string; apps?: Array<{ id: string; state: string }> };
  }>;
}

/**
 * A connector stopped while a user's stream is open: the proxy refuses new streams at once and
 * lets the open one drain; /ready says so from the start of the stop (503, `accepting` false)
 * instead of answering 200 for as long as the drain lasts, and both gateways hear at once that
 * no app is reachable through it, so a group's other connectors get the new users meanwhile.
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

  it('answers 503 with accepting false during the drain and tells the gateways the app is down, 200 once started again', async () => {
    const ingressHost = new URL(stack.emulator.ingressUrl).hostname;
    const c = await connectThrough(ingressHost, stack.emulator.ingressPort, stack.apps.web.address);
    expect(c.status).toBe(200);
    user = c.socket;
    user.resume();

    const stopping = stack.connector.process;
    const restarted = stack.restartConnector({ signal: 'SIGTERM' });
    await stopping.waitForLine(/"msg":"proxy draining open connections"/, 10_000);
    const during = await getJson(`${stack.connector.url}/ready`);
    // While the stream still drains (grace 10 s), every gateway's latest update from this
    // connector reports the app down.
    const webOn = async (g: string) => {
      const v = await stack.admin<GatewayView>('GET', `/admin/gateways/${g}`);
      const mine = (v.health ?? []).filter(
        (h) => !h.stale && h.body.connectorId === stack.connector.connectorId,
      );
      return mine.map((h) => h.body.apps?.find((a) => a.id === stack.apps.web.id)?.state);
    };
    let seen: unknown;
    const withdrawn = await waitUntil(
      'both gateways told the app is down during the drain',
      async () => {
        seen = await Promise.all(stack.gateways.map(webOn));
        const all = (seen as Array<Array<string | undefined>>).flat();
        return all.length >= stack.gateways.length && all.every((s) => s === 'down')
          ? true
          : undefined;
      },
      8_000,
    ).catch((err: Error) => `${err.message}: ${JSON.stringify(seen)}`);
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
    expect(withdrawn).toBe(true);
  });
});

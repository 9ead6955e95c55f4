import type { Socket } from 'node:net';
import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { connectThrough, getJson, type Stack, startStack, waitUntil } from '../src/stack';

interface GatewayView {
  health?: Array<{
    stale: boolean;
    body: {
      connectorId?: string;
      draining?: boolean;
      apps?: Array<{ id: string; state: string }>;
    };
  }>;
}

/**
 * A connector stopped while a user's stream is open: the proxy refuses new streams at once and
 * lets the open one drain; /ready says so from the start of the stop (503, `accepting` false,
 * `draining` true) instead of answering 200 for as long as the drain lasts, and both gateways
 * hear at once that it drains, with its apps' real states, so the cloud sends new users to the
 * group's other connectors meanwhile.
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

  it('answers 503 with accepting false during the drain and tells the gateways it drains (the app still up), 200 once started again', async () => {
    const ingressHost = new URL(stack.emulator.ingressUrl).hostname;
    const c = await connectThrough(ingressHost, stack.emulator.ingressPort, stack.apps.web.address);
    expect(c.status).toBe(200);
    user = c.socket;
    user.resume();

    const stopping = stack.connector.process;
    const restarted = stack.restartConnector({ signal: 'SIGTERM' });
    await stopping.waitForLine(/"msg":"drain started/, 10_000);
    const during = await getJson(`${stack.connector.url}/ready`);
    // While the stream still drains (grace 10 s), every gateway's latest update from this
    // connector says it drains, and the app keeps its real state (up).
    const webOn = async (g: string) => {
      const v = await stack.admin<GatewayView>('GET', `/admin/gateways/${g}`);
      const mine = (v.health ?? []).filter(
        (h) => !h.stale && h.body.connectorId === stack.connector.connectorId,
      );
      return mine.map((h) => ({
        draining: h.body.draining === true,
        web: h.body.apps?.find((a) => a.id === stack.apps.web.id)?.state,
      }));
    };
    let seen: unknown;
    const told = await waitUntil(
      'both gateways told the connector drains during the drain',
      async () => {
        seen = await Promise.all(stack.gateways.map(webOn));
        const all = (seen as Array<Array<{ draining: boolean; web?: string }>>).flat();
        return all.length >= stack.gateways.length && all.every((s) => s.draining)
          ? all
          : undefined;
      },
      8_000,
    ).catch((err: Error) => `${err.message}: ${JSON.stringify(seen)}`);
    // The stream ends: the drain is over and the connector starts again.
    user.destroy();
    await restarted;
    const after = await getJson(`${stack.connector.url}/ready`);

    const body = during.body as { checks?: Record<string, { ok: boolean }>; draining?: boolean };
    expect({
      status: during.status,
      accepting: body.checks?.accepting,
      draining: body.draining,
    }).toEqual({ status: 503, accepting: { ok: false }, draining: true });
    expect(after.status).toBe(200);
    // Every fresh update from this connector on every gateway: draining, the app up.
    expect(
      Array.isArray(told)
        ? [...new Set(told.map((s) => `draining=${s.draining} web=${s.web}`))]
        : told,
    ).toEqual(['draining=true web=up']);
  });
});

import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { openvpnChildren, type Stack, startStack, stillOpenvpn } from '../src/stack';

/**
 * A connector that dies without stopping (SIGKILL, the OOM killer) on a host with no container
 * to take its children along: its openvpn processes outlive it, holding the tun devices. The
 * next connector process ends them before it starts its own.
 */
describe('connector crash (SIGKILL) and start again', () => {
  let stack: Stack;
  let left: number[] = [];

  beforeAll(async () => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    stack = await startStack({ progress: (l) => process.stdout.write(`stack: ${l}\n`) });
  });

  afterAll(async () => {
    // What the connector failed to end is ours to end, by PID.
    for (const pid of stillOpenvpn(left)) process.kill(pid, 'SIGKILL');
    await stack?.stop();
  });

  it("ends the killed connector's openvpn children, then brings both tunnels up", async () => {
    left = Object.values(openvpnChildren(stack.connector.process.pid));
    expect(left).toHaveLength(2);
    const started = performance.now();
    await stack.restartConnector({ signal: 'SIGKILL' });
    process.stdout.write(
      `both tunnels up and /ready 200 ${((performance.now() - started) / 1000).toFixed(1)} s after the SIGKILL\n`,
    );
    expect(stillOpenvpn(left)).toEqual([]);
    expect(Object.keys(openvpnChildren(stack.connector.process.pid)).sort()).toEqual(['t1', 't2']);
    const log = stack.connector.process.tail(200).join('\n');
    expect(log).toContain('ended the openvpn an earlier connector process left running');
    expect(log).not.toContain('Device or resource busy');
    const a = await stack.request('/');
    expect({ connect: a.connectStatus, status: a.status }).toEqual({ connect: 200, status: 200 });
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary, requireRoot, spawnTracked, stopAll } from '@pa-connector/test-support';
import { getJson, type Stack, type StackPop, startStack } from '../src/stack';

/** Alive and not a zombie (a SIGKILLed orphan waits for a reaper that may not exist here). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Nothing of run `runId` is left: namespaces, the root's bridge link, processes. */
function expectNothingLeft(runId: string, pids: number[]): void {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  expect(namespaces.split('\n').filter((l) => l.startsWith(`pa${runId}-`))).toEqual([]);
  expect(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).not.toContain(
    `pa${runId}r`,
  );
  expect(pids.filter(isRunning)).toEqual([]);
}

describe('the e2e stack (startStack)', () => {
  let parent: string;

  beforeAll(() => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    parent = mkdtempSync(join(tmpdir(), 'pa-stack-test-'));
  });

  afterAll(async () => {
    await stopAll();
    rmSync(parent, { recursive: true, force: true });
  });

  it('runs over TCP gateways on IPv6, carries requests on both tunnels, and stop() removes everything', async () => {
    let stack: Stack | undefined;
    try {
      stack = await startStack({ transport: 'tcp', gatewayFamily: 'ipv6', parentDir: parent });
      const tunnels = Object.values(await stack.tunnels());
      expect(tunnels.map((t) => [t.phase, t.remote])).toEqual([
        ['connected', `[${stack.topology.host('gw1').ipv6}]:1194/tcp`],
        ['connected', `[${stack.topology.host('gw2').ipv6}]:1194/tcp`],
      ]);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await stack.request('/'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      const stats = await stack.ingressStats();
      expect(stats.tunnels.map((t) => t.carried)).toEqual([2, 2]);
      // The root namespace is on the bridge: the connector's status listener answers there.
      expect(stack.connector.url).toBe(`http://${stack.connector.host.ipv4}:8080`);
      expect(stack.rootAddress.ipv4).toMatch(/^10\.\d+\.\d+\.2$/);

      const { runId, runDir } = stack;
      const pids = stack.pids();
      expect(pids.length).toBe(5); // redis, emulator, app1, app2, connector
      await stack.stop();
      stack = undefined;
      expect(existsSync(runDir)).toBe(false);
      expectNothingLeft(runId, pids);
    } finally {
      await stack?.stop();
    }
  });

  it('two POPs in separate groups: each a VM of its own, users spread over all four tunnels, stop() removes everything', async () => {
    let stack: Stack | undefined;
    try {
      stack = await startStack({ connectors: 2, groups: 'separate', parentDir: parent });
      const [p1, p2] = stack.pops as [StackPop, StackPop];
      expect(p1.connector).toBe(stack.connector);
      expect([p1.netns, p2.netns]).toEqual([`pa${stack.runId}-pop`, `pa${stack.runId}-pop2`]);
      expect(p2.connectorEnv.PA_HOSTNAME).toBe(`pop2-${stack.runId}`);
      expect(p1.groupId).toBe(stack.groupId);
      expect(p2.groupId).not.toBe(p1.groupId);
      // The apps are defined once and associated with both groups, not copied into each.
      const defined = await stack.admin<Array<{ id: string; groups: string[] }>>(
        'GET',
        '/admin/apps',
      );
      expect(defined.map((a) => [a.id, [...a.groups].sort()])).toEqual(
        ['web', 'web6'].map((id) => [id, [p1.groupId, p2.groupId].sort()]),
      );
      expect(p2.redis.port).not.toBe(p1.redis.port);
      expect(p2.redis.prefix).not.toBe(p1.redis.prefix);
      expect(p2.redis.passwordFile).not.toBe(p1.redis.passwordFile);
      expect(p2.connector.connectorId).not.toBe(p1.connector.connectorId);
      for (const p of [p1, p2]) {
        const vpn = p.openvpnPids();
        expect(Object.keys(vpn).sort()).toEqual(['t1', 't2']);
        // The connector and its openvpn clients run inside the POP's own namespace.
        expect(p.processPids()).toEqual(
          expect.arrayContaining([p.connector.process.pid, vpn.t1, vpn.t2]),
        );
        expect((await getJson(`${p.connector.url}/ready`)).status).toBe(200);
      }
      // waitForApp counts tunnels over both connectors: all four report web up.
      await stack.waitForApp(stack.apps.web, 'up', 4, 5_000);
      const answers = [];
      for (let i = 0; i < 8; i++) answers.push(await stack.request('/'));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      const stats = await stack.ingressStats();
      const byConnector = (id: string) =>
        stats.tunnels.filter((t) => t.connectorId === id).map((t) => t.carried);
      expect(byConnector(p1.connector.connectorId)).toEqual([2, 2]);
      expect(byConnector(p2.connector.connectorId)).toEqual([2, 2]);

      const { runId, runDir } = stack;
      const pids = [...stack.pids(), ...p1.processPids(), ...p2.processPids()];
      expect(stack.pids().length).toBe(7); // redis x2, emulator, app1, app2, connector x2
      await stack.stop();
      stack = undefined;
      expect(existsSync(runDir)).toBe(false);
      expectNothingLeft(runId, pids);
    } finally {
      await stack?.stop();
    }
  });

  it('a connector that cannot start fails startStack with its last lines, and nothing is left', async () => {
    const lines: string[] = [];
    const failed = await startStack({
      parentDir: parent,
      connectorEnv: { PA_TUNNELS: 'two' },
      timeoutSeconds: 20,
      progress: (l) => lines.push(l),
    }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failed?.message).toMatch(/connector exited/);
    expect(failed?.message).toMatch(/PA_TUNNELS/);
    const runId = /namespaces pa([0-9a-f]{6})-gw1/.exec(lines.join('\n'))?.[1];
    expect(runId).toBeDefined();
    expect(readdirSync(parent)).toEqual([]);
    expectNothingLeft(runId as string, []);
  });

  it('an owner that exits without stop() leaves nothing either', async () => {
    const dist = join(__dirname, '..', 'dist', 'stack', 'index.js');
    expect(existsSync(dist)).toBe(true);
    const owner = spawnTracked(process.execPath, [
      '-e',
      `require(${JSON.stringify(dist)}).startStack({ parentDir: ${JSON.stringify(parent)} }).then((s) => { console.log('run ' + s.runId + ' ' + s.pids().join(' ')); process.exit(3); })`,
    ]);
    const code = await owner.exited;
    const line = owner.lines.find((l) => l.startsWith('run ')) ?? '';
    expect({ code, line }).toEqual({
      code: 3,
      line: expect.stringMatching(/^run [0-9a-f]{6}( \d+){5}$/),
    });
    const [, runId, ...pids] = line.split(' ');
    expect(readdirSync(parent)).toEqual([]);
    expectNothingLeft(runId as string, pids.map(Number));
  });
});

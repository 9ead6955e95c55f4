import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary, requireRoot, spawnTracked, stopAll } from '@pa-connector/test-support';
import { type Stack, startStack } from '../src/stack';

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

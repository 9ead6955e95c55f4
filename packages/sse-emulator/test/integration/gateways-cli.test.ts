import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  requireBinary,
  requireRoot,
  spawnTracked,
  stopAll,
  Topology,
  waitFor,
} from '@pa-connector/test-support';
import { adminClient } from '../support/admin-client';

const ROOT = resolve(__dirname, '../../../..');
const CLI = resolve(__dirname, '../../dist/cli.js');

/** The built CLI with `--gateways`: gateways in namespaces, a death is logged, SIGTERM ends all. */
describe('pa-emulator serve --gateways', () => {
  let topo: Topology;
  let dataDir: string;

  beforeAll(async () => {
    requireRoot('it creates network namespaces and tun devices');
    requireBinary('openvpn', 'openvpn');
    execFileSync('pnpm', ['exec', 'tsc', '-b', 'packages/sse-emulator'], { cwd: ROOT });
    topo = await Topology.create({ roles: ['gw1', 'gw2'] });
    dataDir = await mkdtemp(join(tmpdir(), 'pa-emulator-gw-cli-'));
  }, 120_000);

  afterAll(async () => {
    await stopAll();
    await topo?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs one openvpn per gateway in its namespace and the user ingress, logs a death, and stops them on SIGTERM', async () => {
    const g1 = topo.host('gw1');
    const g2 = topo.host('gw2');
    const emu = spawnTracked(process.execPath, [
      CLI,
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--admin-port',
      '0',
      '--gateways',
      '--region',
      `local=${g1.ipv4}:1194/udp@${g1.netns},[${g2.ipv6}]:1194/tcp@${g2.netns}`,
      '--ingress-port',
      '0',
    ]);
    const listening = JSON.parse(await emu.waitForLine(/"event":"listening"/, 60_000));
    const admin = adminClient(listening.adminUrl);
    // The user ingress listens on loopback and shows up in the listening line and the admin API.
    expect(listening.ingressUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await admin.get('/admin/ingress')).body).toEqual({
      url: listening.ingressUrl,
      totals: expect.objectContaining({ connections: 0 }),
      tunnels: [],
      connectors: [],
    });
    const list = (await admin.get('/admin/gateways')).body;
    expect(list.map((g: { netns: string; running: boolean }) => [g.netns, g.running])).toEqual([
      [g1.netns, true],
      [g2.netns, true],
    ]);
    const pids = list.map((g: { pid: number }) => g.pid) as number[];
    // Each openvpn runs inside its gateway's namespace.
    expect(execFileSync('ip', ['netns', 'pids', g1.netns]).toString()).toContain(String(pids[0]));
    expect(execFileSync('ip', ['netns', 'pids', g2.netns]).toString()).toContain(String(pids[1]));

    // Killed from outside the emulator: logged, and left down.
    process.kill(pids[0] as number, 'SIGKILL');
    await emu.waitForLine(/gateway process died/, 10_000);
    await waitFor('gw1 shown as down', async () => {
      const v = (await admin.get('/admin/gateways/local-gw1')).body;
      return v.running === false;
    });

    emu.child.kill('SIGTERM');
    expect(await emu.exited).toBe(0);
    expect(alive(pids[1] as number)).toBe(false);
    expect(execFileSync('ip', ['netns', 'pids', g1.netns]).toString().trim()).toBe('');
    expect(execFileSync('ip', ['netns', 'pids', g2.netns]).toString().trim()).toBe('');
  }, 90_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

import { join } from 'node:path';
import {
  requireRoot,
  run,
  spawnTracked,
  Topology,
  type TrackedProcess,
} from '@pa-connector/test-support';

const SCRIPT = join(__dirname, 'app-server.cjs');

/** An app server process (see app-server.cjs) and where it listens. */
export interface AppServerProcess {
  name: string;
  port: number;
  proc: TrackedProcess;
  stop(): Promise<void>;
}

/** Starts app-server.cjs, in `netns` when given, listening on `host` (default every address). */
export async function startAppServer(
  name: string,
  o: { netns?: string; host?: string; port?: number } = {},
): Promise<AppServerProcess> {
  const args = [SCRIPT, name, String(o.port ?? 0), ...(o.host ? [o.host] : [])];
  const proc = o.netns
    ? spawnTracked('ip', ['netns', 'exec', o.netns, process.execPath, ...args])
    : spawnTracked(process.execPath, args);
  const line = await proc.waitForLine(/^listening /, 10_000);
  const port = Number(line.split(' ')[2]);
  return { name, port, proc, stop: async () => void (await proc.stop(2_000)) };
}

/**
 * A Topology whose hub bridge is also joined to this (the test's) namespace by a veth pair, so
 * code running in the test process reaches the hosts' IPv4 and IPv6 addresses directly.
 */
export class AppNetwork {
  readonly topo: Topology;
  /** This namespace's end of the link. */
  readonly ifname: string;
  readonly local4: string;
  readonly local6: string;

  private constructor(topo: Topology) {
    this.topo = topo;
    this.ifname = `pa${topo.runId}r`;
    const any = [...topo.hosts.values()][0];
    if (!any) throw new Error('AppNetwork needs at least one host');
    this.local4 = any.ipv4.replace(/\.\d+$/, '.250');
    this.local6 = any.ipv6.replace(/[0-9a-f]+$/, 'fa');
  }

  static async create(roles: string[]): Promise<AppNetwork> {
    requireRoot('app servers run in network namespaces');
    const topo = await Topology.create({ roles });
    const net = new AppNetwork(topo);
    try {
      await run('ip', [
        'link',
        'add',
        net.ifname,
        'type',
        'veth',
        'peer',
        'name',
        'vroot',
        'netns',
        topo.hub,
      ]);
      await run('ip', ['-n', topo.hub, 'link', 'set', 'vroot', 'master', 'br0']);
      await run('ip', ['-n', topo.hub, 'link', 'set', 'vroot', 'up']);
      await run('ip', ['addr', 'add', `${net.local4}/24`, 'dev', net.ifname]);
      await run('ip', ['-6', 'addr', 'add', `${net.local6}/64`, 'dev', net.ifname, 'nodad']);
      await run('ip', ['link', 'set', net.ifname, 'up']);
    } catch (err) {
      await net.destroy();
      throw err;
    }
    return net;
  }

  host(role: string) {
    return this.topo.host(role);
  }

  /** Adds (or removes) an extra address on this namespace's end, e.g. a tunnel address appearing. */
  async setLocalAddress(address: string, present: boolean): Promise<void> {
    const v6 = address.includes(':');
    await run('ip', [
      ...(v6 ? ['-6'] : []),
      'addr',
      present ? 'add' : 'del',
      `${address}/${v6 ? 64 : 24}`,
      'dev',
      this.ifname,
      ...(v6 && present ? ['nodad'] : []),
    ]);
  }

  async destroy(): Promise<void> {
    await run('ip', ['link', 'del', this.ifname]).catch(() => undefined);
    await this.topo.destroy();
  }
}

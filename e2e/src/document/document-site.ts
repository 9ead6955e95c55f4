import {
  run,
  startDnsServer,
  startTinyproxy,
  type TestDnsServer,
  type TestProxy,
  Topology,
} from '@pa-connector/test-support';
import { type LocalRegistry, startRegistry } from '../docker/registry';
import { startVmDockerd, type VmDockerd } from '../docker/vm-dockerd';
import { DOCUMENT } from './document-names';

/** The gateways' own names, which the PoP's name stands for. */
export const GATEWAY_NAMES = [`gw1.${DOCUMENT.gateway}`, `gw2.${DOCUMENT.gateway}`] as const;

/**
 * The world of the operator documentation, built from network namespaces: the customer's VM
 * (a Docker engine of its own), the corporate proxy at the document's address, the cloud (the
 * emulator's endpoints in `cloud`, the PoP's two gateways in `gw1` and `gw2`), a private app,
 * and a DNS server that holds every name of the document and nothing else. The root namespace is
 * attached, so the test reaches the emulator's admin API and user ingress.
 */
export interface DocumentSite {
  topology: Topology;
  dns: TestDnsServer;
  /** The first VM's engine (the only one by default). */
  vm: VmDockerd;
  /** Every VM: its role in the topology (`vm`, or `vm1`, `vm2`, ... with several) and engine. */
  vms: Array<{ role: string; engine: VmDockerd }>;
  /** The vendor's registry, with `registry: true`. */
  registry: LocalRegistry | undefined;
  /** The corporate proxy, started by `startProxy` (the document's flow runs with and without). */
  proxy(): TestProxy | undefined;
  startProxy(): Promise<TestProxy>;
  stopProxy(): Promise<void>;
  /** The resolv.conf the VM's host would have: the site's DNS server only. */
  resolvConf: string;
  stop(): Promise<void>;
}

/**
 * The cloud's hosts: wgcs on the cloud namespace's own address, IAM and status on two more of
 * its addresses (added when the cloud starts), so that each may listen on 443.
 */
export function cloudAddresses(topology: Topology): { wgcs: string; iam: string; status: string } {
  const wgcs = topology.host('cloud').ipv4;
  const prefix = wgcs.slice(0, wgcs.lastIndexOf('.'));
  return { wgcs, iam: `${prefix}.201`, status: `${prefix}.202` };
}

export interface DocumentSiteOptions {
  /** How many VMs (default 1, role `vm`; with more, roles `vm1`, `vm2`, ...). */
  vms?: number;
  /**
   * Also a registry the VMs' engines pull from (default false): Debian's docker-registry on the
   * root namespace's address of the segment, which every VM routes to directly and the test's
   * own engine reaches too. Plain HTTP, so each VM's engine lists it with `--insecure-registry`:
   * a CA would need a certificate for an address that changes each run, placed in every engine's
   * certs.d, and would test nothing the update path depends on.
   */
  registry?: boolean;
}

export async function startDocumentSite(o: DocumentSiteOptions = {}): Promise<DocumentSite> {
  const count = o.vms ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    throw new Error(`a document site has 1 to 9 VMs, not ${count}`);
  }
  const vmRoles = count === 1 ? ['vm'] : Array.from({ length: count }, (_, i) => `vm${i + 1}`);
  const topology = await Topology.create({
    roles: ['cloud', 'gw1', 'gw2', 'dns', 'corp', ...vmRoles, 'app'],
    attachRoot: true,
  });
  let dns: TestDnsServer | undefined;
  let registry: LocalRegistry | undefined;
  const vms: Array<{ role: string; engine: VmDockerd }> = [];
  let proxy: TestProxy | undefined;
  const stop = async () => {
    for (const v of vms) await v.engine.stop().catch(() => undefined);
    await registry?.stop().catch(() => undefined);
    await proxy?.stop().catch(() => undefined);
    await dns?.stop().catch(() => undefined);
    await topology.destroy();
  };
  try {
    const cloud = cloudAddresses(topology);
    dns = await startDnsServer({
      records: {
        [DOCUMENT.registrationHost]: [cloud.wgcs],
        [DOCUMENT.tokenHost]: [cloud.iam],
        [DOCUMENT.statusHost]: [cloud.status],
        // The PoP's name leads to its first gateway; each gateway has a name of its own too.
        [DOCUMENT.gateway]: [topology.host('gw1').ipv4],
        [GATEWAY_NAMES[0]]: [topology.host('gw1').ipv4],
        [GATEWAY_NAMES[1]]: [topology.host('gw2').ipv4],
      },
      netns: topology.host('dns').netns,
      listenAddress: topology.host('dns').ipv4,
    });
    // The proxy's address is the document's, on the corporate host; the VM routes to it there.
    const corp = topology.host('corp');
    const vmHosts = vmRoles.map((r) => topology.host(r));
    await run('ip', [
      '-n',
      corp.netns,
      'addr',
      'add',
      `${DOCUMENT.proxyAddress}/32`,
      'dev',
      'eth0',
    ]);
    for (const vmHost of vmHosts) {
      await run('ip', [
        ...['-n', vmHost.netns, 'route', 'add', `${DOCUMENT.proxyAddress}/32`],
        ...['via', corp.ipv4],
      ]);
    }
    if (o.registry) registry = await startRegistry({ address: topology.root?.ipv4 as string });
    // One after the other: each engine sets up its namespace's iptables on start.
    for (const vmHost of vmHosts) {
      const engine = await startVmDockerd({
        netns: vmHost.netns,
        dns: dns.server,
        ...(registry ? { insecureRegistries: [registry.host] } : {}),
      });
      vms.push({ role: vmHost.role, engine });
    }
    const site: DocumentSite = {
      topology,
      dns,
      vm: (vms[0] as { engine: VmDockerd }).engine,
      vms,
      registry,
      proxy: () => proxy,
      async startProxy() {
        proxy ??= await startTinyproxy({
          netns: corp.netns,
          listen: { address: DOCUMENT.proxyAddress, port: DOCUMENT.proxyPort },
          allow: vmHosts.map((h) => h.ipv4),
          dnsServer: (dns as TestDnsServer).server,
        });
        return proxy;
      },
      async stopProxy() {
        await proxy?.stop();
        proxy = undefined;
      },
      resolvConf: `nameserver ${dns.server}\n`,
      stop,
    };
    return site;
  } catch (err) {
    await stop();
    throw err;
  }
}

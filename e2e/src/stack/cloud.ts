import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host, Topology } from '@pa-connector/test-support';
import { catalogEntries } from './apps';
import { adminCall, type StackEmulator, startStackEmulator } from './emulator';
import { connectFromNamespace, type NamespaceConnectAnswer } from './namespace-connect';
import type { StackRun } from './stack-run';
import type { Stack, StackApp, StackOptions, TunnelDetail } from './stack-types';

const REGION = 'demo';

export type AdminCall = Stack['admin'];

export interface StackCloud {
  emulator: StackEmulator;
  admin: AdminCall;
  /** Gateway names, gw1's first. */
  gateways: string[];
}

/**
 * The cloud: the built emulator in the root namespace, its SSE API on the root's bridge
 * address, and region `demo` with one gateway in gw1 and one in gw2.
 */
export async function startCloud(
  run: StackRun,
  topo: Topology,
  sseHost: string,
  o: StackOptions,
): Promise<StackCloud> {
  const family = o.gatewayFamily ?? 'ipv4';
  const transport = o.transport ?? 'udp';
  const gwAddr = (h: Host) => (family === 'ipv6' ? `[${h.ipv6}]` : h.ipv4);
  const [gw1, gw2] = [topo.host('gw1'), topo.host('gw2')];
  const emulator = await startStackEmulator({
    root: run.root,
    runDir: run.runDir,
    sseHost,
    region: `${REGION}=${gwAddr(gw1)}:1194/${transport}@${gw1.netns},${gwAddr(gw2)}:1194/${transport}@${gw2.netns}`,
    healthStale: o.healthStale ?? '5s',
    ...(o.emulatorArgs ? { extraArgs: o.emulatorArgs } : {}),
  });
  run.procs.push(emulator.process);
  const admin = <T>(method: string, path: string, body?: unknown) =>
    adminCall<T>(emulator.adminUrl, method, path, body);
  const gateways = (await admin<Array<{ name: string }>>('GET', '/admin/gateways')).map(
    (g) => g.name,
  );
  run.say(
    `emulator: SSE ${emulator.sseUrl}, admin ${emulator.adminUrl}, ingress ${emulator.ingressUrl}, gateways ${gateways.join(', ')} (${transport})`,
  );
  return { emulator, admin, gateways };
}

/**
 * A group `name` and a provisioning key for `uses` connectors in a 0600 file in `dir` (never
 * printed). With `apps`, the apps are the group's own catalog (tests replace it with
 * `PUT /admin/groups/:id/apps`); without, the caller associates apps with the group.
 */
export async function publishGroup(
  run: StackRun,
  admin: AdminCall,
  a: { name: string; dir: string; uses: number },
  apps?: { web: StackApp; web6: StackApp },
): Promise<{ groupId: string; keyFile: string }> {
  const group = await admin<{ id: string }>('POST', '/admin/groups', { name: a.name });
  if (apps) await admin('PUT', `/admin/groups/${group.id}/apps`, catalogEntries(apps));
  const key = await admin<{ id: string; key: string }>('POST', `/admin/groups/${group.id}/keys`, {
    maxUses: a.uses,
  });
  const keyFile = join(a.dir, 'provisioning.key');
  writeFileSync(keyFile, `${key.key}\n`, { mode: 0o600 });
  const uses = a.uses === 1 ? 'one-use' : `${a.uses}-use`;
  run.say(
    `cloud: group ${group.id}${apps ? ' with apps web, web6' : ''}; ${uses} provisioning key ${key.id} in ${keyFile}`,
  );
  return { groupId: group.id, keyFile };
}

/** The apps defined once in the cloud and associated with every one of `groupIds`. */
export async function associateApps(
  run: StackRun,
  admin: AdminCall,
  apps: { web: StackApp; web6: StackApp },
  groupIds: string[],
): Promise<void> {
  for (const entry of catalogEntries(apps)) {
    await admin('POST', '/admin/apps', { ...(entry as object), groups: groupIds });
  }
  run.say(`cloud: apps web, web6 associated with groups ${groupIds.join(', ')}`);
}

/**
 * A CONNECT from inside a gateway's namespace to the connector's proxy on that gateway's tunnel
 * address, as the gateway itself would open it.
 */
export function gatewayConnector(
  run: StackRun,
  topo: Topology,
  gateways: readonly string[],
  tunnels: () => Promise<Record<string, TunnelDetail>>,
  proxyPort: number,
) {
  return async (gateway: string, target: string, slow = false): Promise<NamespaceConnectAnswer> => {
    const i = gateways.indexOf(gateway);
    if (i < 0) throw new Error(`no gateway ${gateway} (have ${gateways.join(', ')})`);
    const t = Object.values(await tunnels()).find((v) => v.gateway === gateway);
    if (!t?.localAddress || t.phase !== 'connected') {
      throw new Error(`the connector has no connected tunnel to ${gateway}`);
    }
    const ns = topo.host(i === 0 ? 'gw1' : 'gw2').netns;
    return connectFromNamespace(run.ip, ns, t.localAddress, proxyPort, target, slow);
  };
}

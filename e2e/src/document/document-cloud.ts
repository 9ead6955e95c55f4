import { join } from 'node:path';
import { run } from '@pa-connector/test-support';
import { adminCall } from '../stack/emulator';
import { type LoggedProcess, startLogged } from '../stack/logged-process';
import { DOCUMENT } from './document-names';
import { cloudAddresses, type DocumentSite, GATEWAY_NAMES } from './document-site';

/** The emulator playing the document's cloud, inside the site's `cloud` namespace. */
export interface DocumentCloud {
  adminUrl: string;
  /** Where users connect (`host:port` of the user ingress). */
  ingress: { host: string; port: number };
  process: LoggedProcess;
  admin<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export interface DocumentCloudOptions {
  root: string;
  runDir: string;
  /** The `PoPDeployment.tar` the package route hands out. */
  bundle: string;
  /** The infra.sh the package carries (its cloud block filled in by the route). */
  infraScript: string;
}

/**
 * The cloud of the firewall table: registration on `wgcs.<domain>:8080`, the catalog on
 * `wgcs.<domain>:443`, tokens on the IAM host and POP status on the status host (each an address
 * of its own in the `cloud` namespace, as the DNS server says), and the PoP `us-west` whose two
 * gateways listen on 443/tcp in `gw1` and `gw2`, known by the name the document's command gives.
 */
export async function startDocumentCloud(
  site: DocumentSite,
  o: DocumentCloudOptions,
): Promise<DocumentCloud> {
  const cloud = site.topology.host('cloud');
  const [gw1, gw2] = [site.topology.host('gw1'), site.topology.host('gw2')];
  const { wgcs, iam, status } = cloudAddresses(site.topology);
  for (const extra of [iam, status]) {
    await run('ip', ['-n', cloud.netns, 'addr', 'add', `${extra}/24`, 'dev', 'eth0']);
  }
  const proc = startLogged(o.runDir, 'emulator', 'ip', [
    ...['netns', 'exec', cloud.netns, process.execPath],
    join(o.root, 'packages/sse-emulator/dist/cli.js'),
    'serve',
    ...['--data-dir', join(o.runDir, 'emulator')],
    ...['--host', wgcs, '--port', '0', '--tls-name', DOCUMENT.registrationHost],
    ...['--admin-host', wgcs, '--admin-port', '0'],
    ...['--ingress-host', wgcs, '--ingress-port', '0'],
    '--gateways',
    ...['--profile', 'saas'],
    ...[
      '--region',
      `${DOCUMENT.pop}=${GATEWAY_NAMES[0]}:443/tcp@${gw1.netns},${GATEWAY_NAMES[1]}:443/tcp@${gw2.netns}`,
    ],
    ...['--pop-hostname', `${DOCUMENT.pop}=${DOCUMENT.gateway}`],
    ...['--endpoint', `registration=${DOCUMENT.registrationHost}:8080@${wgcs}`],
    ...['--endpoint', `catalog=${DOCUMENT.registrationHost}:443@${wgcs}`],
    ...['--endpoint', `tokens=${DOCUMENT.tokenHost}:443@${iam}`],
    ...['--endpoint', `collector=${DOCUMENT.statusHost}:443@${status}`],
    ...['--bundle', o.bundle, '--infra-script', o.infraScript],
  ]);
  const line = await proc.waitForLine(/"event":"listening"/, 90_000);
  const v = JSON.parse(line) as { adminUrl: string; ingressUrl?: string };
  if (!v.ingressUrl) throw new Error(`the emulator runs no user ingress: ${line}`);
  const adminUrl = v.adminUrl.replace(/\/$/, '');
  const ingress = new URL(v.ingressUrl);
  return {
    adminUrl,
    ingress: { host: ingress.hostname, port: Number(ingress.port) },
    process: proc,
    admin: <T>(method: string, path: string, body?: unknown) =>
      adminCall<T>(adminUrl, method, path, body),
  };
}

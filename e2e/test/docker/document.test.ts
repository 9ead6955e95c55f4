import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  requireBinary,
  requireRoot,
  run,
  spawnTracked,
  type TrackedProcess,
  waitFor,
} from '@pa-connector/test-support';
import { type CommandResult, runCommand } from '../../src/docker/command';
import { printFigures, ROOT, seconds } from '../../src/docker/compose-stack';
import { buildPopBundle } from '../../src/docker/pop-images';
import { type DocumentCloud, startDocumentCloud } from '../../src/document/document-cloud';
import { DOCUMENT, documentCommand } from '../../src/document/document-names';
import {
  cloudAddresses,
  type DocumentSite,
  startDocumentSite,
} from '../../src/document/document-site';
import { copyPackageTo, downloadGroupPackage } from '../../src/document/group-package';
import { vmHostEnv, vmSocketBufferLimits, writeVmHostFiles } from '../../src/document/vm-host';
import { requestThroughIngress } from '../../src/stack/ingress-client';

// The operator documentation followed word for word on a VM: the package downloaded from the
// cloud, its infra.sh run with the document's own arguments (only the key is this cloud's), the
// POP ready, the menu's entries, and a user's request through a gateway on 443. Everything runs
// on real parts: dockerd (the VM's own, in a namespace), compose, openvpn, dnsmasq, tinyproxy.

const SAMPLE_APP = resolve(__dirname, '../../dist/stack/programs/sample-app.js');
const APP = { host: 'intranet.corp.trellix.com', port: 80 };

const figures: Record<string, string> = {};
let runDir: string;
let site: DocumentSite | undefined;
let cloud: DocumentCloud | undefined;
let app: TrackedProcess | undefined;
let vmDir: string;
let fakeRoot: string;
let key: string;

beforeAll(async () => {
  requireRoot('namespaces, dockerd and the tun device');
  for (const [bin, pkg] of [
    ['dockerd', 'docker.io'],
    ['docker-compose', 'docker-compose'],
    ['openvpn', 'openvpn'],
    ['dnsmasq', 'dnsmasq-base'],
    ['tinyproxy', 'tinyproxy'],
    ['debootstrap', 'debootstrap'],
  ] as const) {
    requireBinary(bin, pkg);
  }
  runDir = mkdtempSync(join(tmpdir(), 'pa-document-'));

  // The vendor's side: the POP's images and the deployment bundle, built on this machine's engine.
  const bundle = join(runDir, 'PoPDeployment.tar');
  await buildPopBundle(bundle, figures);

  // The world of the document, and the cloud that hands out the package.
  site = await startDocumentSite();
  const appHost = site.topology.host('app');
  app = spawnTracked('ip', [
    ...['netns', 'exec', appHost.netns, process.execPath, SAMPLE_APP],
    ...['intranet', '8080'],
  ]);
  await app.waitForLine(/^listening$/, 15_000);
  cloud = await startDocumentCloud(site, {
    root: ROOT,
    runDir,
    bundle,
    infraScript: join(ROOT, 'infra.sh'),
  });
  const c = cloud;
  // A group for two connectors (the two installs below): creating it makes its key.
  const group = await c.admin<{ id: string; key: string }>('POST', '/admin/groups', {
    name: 'ZTNAalpha',
    maxConnectors: 2,
  });
  key = group.key;
  await c.admin('PUT', `/admin/groups/${group.id}/apps`, [
    {
      id: 'intranet',
      name: 'Intranet',
      host: APP.host,
      port: APP.port,
      servers: [{ host: appHost.ipv4, port: 8080 }],
      strategy: 'round-robin',
      healthCheck: { type: 'http', path: '/', expectStatus: 200 },
    },
  ]);

  // The operator downloads PoPPackage.tar and copies PoPDeployment.tar and vCenter/infra.sh to
  // the VM (the document's steps 9 to 12).
  const t = Date.now();
  const pkg = await downloadGroupPackage(c.adminUrl, group.id, runDir);
  vmDir = join(runDir, 'vm');
  mkdirSync(vmDir);
  copyPackageTo(pkg, vmDir);
  rmSync(pkg.dir, { recursive: true, force: true });
  figures.package = seconds(Date.now() - t);

  // What infra.sh reads of the VM (vm-host.ts); the files it writes go under a directory of the
  // test instead of /.
  fakeRoot = join(runDir, 'root');
  mkdirSync(fakeRoot);
  writeVmHostFiles(runDir, site.resolvConf);
}, 1_800_000);

afterAll(async () => {
  try {
    await app?.stop();
    await cloud?.process.stop();
    await site?.stop();
  } finally {
    if (runDir) rmSync(runDir, { recursive: true, force: true });
    printFigures('the document followed on a VM', figures);
  }
}, 300_000);

function vmEnv(): NodeJS.ProcessEnv {
  return (site as DocumentSite).vm.env({
    PA_INFRA_ROOT: fakeRoot,
    ...vmHostEnv(runDir),
    PA_INFRA_HOSTNAME: 'pa-document-vm',
    PA_INFRA_READY_TIMEOUT: '300',
  });
}

/** The installed menu, `pa_connector.sh ARGS`, as the operator runs it on the VM. */
function menu(args: string[], input?: string): Promise<CommandResult> {
  return runCommand('bash', [join(fakeRoot, 'var/lib/pa-connector/pa_connector.sh'), ...args], {
    env: { ...vmEnv(), PA_CONNECTOR_ENV: join(fakeRoot, 'etc/pa-connector/pa_connector.env') },
    timeoutMs: 120_000,
    ...(input === undefined ? {} : { input }),
  });
}

async function install(withProxy: boolean): Promise<void> {
  const t = Date.now();
  const r = await runCommand('bash', ['-c', documentCommand(key, withProxy)], {
    cwd: vmDir,
    env: vmEnv(),
    timeoutMs: 1_200_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.code !== 0) throw new Error(`infra.sh exited ${r.code}:\n${output.slice(-6000)}`);
  expect(output).not.toContain(key);
  // The VM's stock socket buffer limits, raised for the tunnels' openvpn (kept for a next boot).
  expect(vmSocketBufferLimits(runDir)).toEqual({ rmem_max: 4_194_304, wmem_max: 4_194_304 });
  expect(readFileSync(join(fakeRoot, 'etc/sysctl.d/60-pa-connector.conf'), 'utf8')).toContain(
    'net.core.rmem_max = 4194304',
  );
  figures[`install${withProxy ? ' with the proxy' : ''}`] = seconds(Date.now() - t);
}

async function uninstall(): Promise<void> {
  const r = await runCommand('bash', [join(vmDir, 'infra.sh'), '--uninstall', '--yes'], {
    env: vmEnv(),
    input: '',
    timeoutMs: 300_000,
  });
  expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toMatchObject({ code: 0 });
  const left = await (site as DocumentSite).vm.docker(['ps', '-aq']);
  expect(left.stdout.trim()).toBe('');
}

/** docs/firewall.md's SaaS table: port, protocol and purpose of each row, in order. */
function documentedSaasRows(): string[] {
  const text = readFileSync(join(ROOT, 'docs/firewall.md'), 'utf8');
  const saas = text.slice(text.indexOf('## SaaS'), text.indexOf('## On-premises'));
  return saas
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => {
      const [, port, protocol, purpose] = l
        .split('|')
        .slice(1)
        .map((c) => c.trim());
      return `${port} ${protocol} ${purpose}`;
    });
}

/** The checks of a running install: the menu's entries and a user's request. */
async function checkInstalled(): Promise<void> {
  // 1: the status of the POP's services.
  const status = await menu(['status']);
  expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
  for (const service of ['connector', 'logging', 'update', 'pop-manager']) {
    expect(status.stdout).toMatch(new RegExp(`^${service} +up `, 'm'));
  }
  // 2: the version of each service, the release's.
  const version = await menu(['version']);
  expect(version.code).toBe(0);
  expect(version.stdout).toMatch(/SERVICE\s+RUNNING/);
  expect(version.stdout).toMatch(/^pop-manager +v?\d+(\.\d+)+/m);

  // 5: the logs, from the logging service.
  const logs = await menu(['logs', '--service', 'connector', '--limit', '20']);
  expect(logs.code).toBe(0);
  expect(logs.stdout).toMatch(/connector\s+INFO/);

  // 6: the diagnosis: the firewall table of docs/firewall.md with this POP's values, each row
  // checked live, no required row failing.
  const diagnose = await menu(['diagnose', '--json', '--no-apps']);
  const report = JSON.parse(diagnose.stdout || '{}') as {
    ok: boolean;
    rows: Array<{
      section: string;
      destination: string;
      port: number | null;
      protocol: string;
      purpose: string;
      result: string;
      required: boolean;
    }>;
  };
  const firewall = report.rows.filter((r) => r.section === 'firewall');
  expect({ code: diagnose.code, ok: report.ok }).toEqual({ code: 0, ok: true });
  expect(firewall.map((r) => `${r.port} ${r.protocol} ${r.purpose}`)).toEqual(documentedSaasRows());
  expect(firewall.slice(0, 5).map((r) => `${r.destination}:${r.port} ${r.result}`)).toEqual([
    `${DOCUMENT.gateway}:443 pass`,
    `${DOCUMENT.registrationHost}:8080 pass`,
    `${DOCUMENT.tokenHost}:443 pass`,
    `${DOCUMENT.statusHost}:443 pass`,
    `${DOCUMENT.registrationHost}:443 pass`,
  ]);

  // The menu itself, fed from a pipe: entries 1, 2, 5 and 6, then q.
  const fromMenu = await menu(['menu'], '1\n2\n5\n6\nq\n');
  expect(fromMenu.code).toBe(0);
  expect(fromMenu.stdout).toMatch(/^connector +up /m);
  expect(fromMenu.stdout).not.toContain('ended with exit code');

  // The cloud sees the POP under the VM's name, in the PoP of the gateway it was given.
  const connectors = await (cloud as DocumentCloud).admin<
    Array<{ hostname: string; region: string }>
  >('GET', '/admin/connectors');
  expect(connectors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ hostname: 'pa-document-vm', region: DOCUMENT.pop }),
    ]),
  );

  // A user's request through the ingress, a gateway on 443, a tunnel and the connector's proxy.
  const { ingress } = cloud as DocumentCloud;
  const answer = await waitFor(
    'a user request answered by the app',
    async () => {
      const a = await requestThroughIngress(
        ingress.host,
        ingress.port,
        `${APP.host}:${APP.port}`,
        '/from-the-document',
      ).catch(() => undefined);
      return a?.status === 200 ? a : undefined;
    },
    120_000,
    2_000,
  );
  expect(answer).toMatchObject({ connectStatus: 200, status: 200, server: 'intranet' });
  expect(answer.gateway).toMatch(new RegExp(`^${DOCUMENT.pop}-gw[12]$`));
}

describe('the operator documentation, followed word for word on a VM', () => {
  it('installs with the document command (no proxy): ready, menu 1, 2, 5 and 6, a user request through a gateway on 443', async () => {
    await install(false);
    await checkInstalled();
    // Every name went through the site's DNS server.
    expect((site as DocumentSite).dns.queries()).toEqual(
      expect.arrayContaining([
        `query[A] ${DOCUMENT.gateway}`,
        `query[A] ${DOCUMENT.registrationHost}`,
        `query[A] ${DOCUMENT.tokenHost}`,
        `query[A] ${DOCUMENT.statusHost}`,
      ]),
    );
    await uninstall();
  }, 1_500_000);

  it('installs with the document command through the proxy, the VM reaching the cloud only through it', async () => {
    const s = site as DocumentSite;
    const proxy = await s.startProxy();
    // The corporate firewall: the VM's containers reach none of the cloud's hosts directly (the
    // private app and the DNS server stay reachable).
    const vmNs = s.topology.host('vm').netns;
    const { wgcs, iam, status } = cloudAddresses(s.topology);
    const cloudHosts = [
      wgcs,
      iam,
      status,
      s.topology.host('gw1').ipv4,
      s.topology.host('gw2').ipv4,
    ];
    const firewall = (op: '-I' | '-D') =>
      run('ip', [
        ...['netns', 'exec', vmNs, 'iptables', op, 'DOCKER-USER'],
        ...['-d', cloudHosts.join(','), '-j', 'DROP'],
      ]);
    await firewall('-I');
    try {
      await install(true);
      await checkInstalled();
      const log = proxy.log();
      for (const target of [
        `${DOCUMENT.registrationHost}:8080`,
        `${DOCUMENT.tokenHost}:443`,
        `${DOCUMENT.statusHost}:443`,
      ]) {
        expect(log).toContain(target);
      }
      expect(log).toMatch(new RegExp(`gw[12]\\.${DOCUMENT.gateway.replace(/\./g, '\\.')}:443`));
      await uninstall();
    } finally {
      await firewall('-D').catch(() => undefined);
      await s.stopProxy();
    }
  }, 1_500_000);
});

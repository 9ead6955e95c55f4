import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  requireBinary,
  requireRoot,
  spawnTracked,
  startTcpRelay,
  type TcpRelay,
  type TrackedProcess,
  waitFor,
} from '@pa-connector/test-support';
import { runCommand } from '../../src/docker/command';
import { printFigures, ROOT, seconds, VERSION } from '../../src/docker/compose-stack';
import { type Dockerd, ensureDockerd } from '../../src/docker/dockerd';
import { buildPopBundle } from '../../src/docker/pop-images';
import { deriveImage, pushImage, removeLocalImage } from '../../src/docker/release-images';
import type { VmDockerd } from '../../src/docker/vm-dockerd';
import {
  type ContainerEventWatch,
  fetchInsidePop,
  popContainers,
  popService,
  replacementInterval,
  watchServiceEvents,
} from '../../src/docker/vm-pop';
import { type DocumentCloud, startDocumentCloud } from '../../src/document/document-cloud';
import { documentCommand } from '../../src/document/document-names';
import { type DocumentSite, startDocumentSite } from '../../src/document/document-site';
import { copyPackageTo, downloadGroupPackage } from '../../src/document/group-package';
import { vmHostEnv, writeVmHostFiles } from '../../src/document/vm-host';
import { requestThroughIngress } from '../../src/stack/ingress-client';

// A group of two POPs, each installed with the operator documentation's command on a VM of its
// own, both updated by a release the cloud publishes: the update services of the two VMs are
// asked at the same moment, and the group's update slot must make them replace their
// connectors one after the other, while users going through the cloud's ingress never see a
// failure. Real parts throughout: two dockerd (one per VM namespace), Debian's docker-registry,
// the emulator's gateways and ingress, openvpn, the update service replacing containers.

const SAMPLE_APP = resolve(__dirname, '../../dist/stack/programs/sample-app.js');
const APP = { host: 'intranet.corp.trellix.com', port: 80 };
const ROLLED = ['logging', 'pop-manager', 'connector', 'update'] as const;
type Rolled = (typeof ROLLED)[number];
/**
 * What the release changes: the connector only, the one service the group's update slot
 * governs (the update service leaves services the release does not name as they are, and the
 * whole rollout of every service is update.test.ts's), so each VM pulls one image.
 */
const RELEASED = ['connector'] as const satisfies readonly Rolled[];
type Released = (typeof RELEASED)[number];
const NEXT = '99.1.0';
const LOAD_LOOPS = 4;

interface Vm {
  role: string;
  engine: VmDockerd;
  hostname: string;
  dir: string;
  fakeRoot: string;
}

interface UpdateStatusAnswer {
  status: Record<string, string>;
  history: Array<{ service: string; result: string; version: string; at: string; message: string }>;
}

interface TunnelCounts {
  connectorId: string;
  gateway: string;
  carried: number;
  failed: number;
}

const run = randomBytes(4).toString('hex');
const figures: Record<string, string> = {};
/** Image references made on this machine's engine, removed at the end. */
const made: string[] = [];
let runDir: string;
let hostEngine: Dockerd | undefined;
let site: DocumentSite | undefined;
let cloud: DocumentCloud | undefined;
let app: TrackedProcess | undefined;
let pushRelay: TcpRelay | undefined;
let key: string;
let groupId: string;
const vms: Vm[] = [];
/** Filled by the update test, checked by the ones after it. */
const outcome: {
  load?: { ok: number; failed: string[] };
  intervals?: Array<{ role: string; stoppedAt?: number; healthyAt?: number }>;
} = {};

beforeAll(async () => {
  requireRoot('namespaces, dockerd and the tun device');
  for (const [bin, pkg] of [
    ['dockerd', 'docker.io'],
    ['docker-compose', 'docker-compose'],
    ['docker-registry', 'docker-registry'],
    ['openvpn', 'openvpn'],
    ['dnsmasq', 'dnsmasq-base'],
    ['debootstrap', 'debootstrap'],
  ] as const) {
    requireBinary(bin, pkg);
  }
  runDir = mkdtempSync(join(tmpdir(), 'pa-gupd-'));

  // This machine's engine builds the POP's images and, later, the new release's: started here
  // (when it was not running) and kept until the end, so buildPopBundle does not stop it.
  hostEngine = await ensureDockerd();
  const bundle = join(runDir, 'PoPDeployment.tar');
  await buildPopBundle(bundle, figures);

  site = await startDocumentSite({ vms: 2, registry: true });
  const s = site;
  const registry = s.registry;
  if (!registry) throw new Error('the site started no registry');
  // The engine here reaches the registry through loopback, which dockerd trusts over plain HTTP
  // without configuration; the VMs' engines pull the same storage at its segment address.
  const [address, port] = registry.host.split(':') as [string, string];
  pushRelay = await startTcpRelay({ host: address, port: Number(port) });

  const appHost = s.topology.host('app');
  app = spawnTracked('ip', [
    ...['netns', 'exec', appHost.netns, process.execPath, SAMPLE_APP],
    ...['intranet', '8080'],
  ]);
  await app.waitForLine(/^listening$/, 15_000);
  cloud = await startDocumentCloud(s, {
    root: ROOT,
    runDir,
    bundle,
    infraScript: join(ROOT, 'infra.sh'),
  });
  const group = await cloud.admin<{ id: string; key: string }>('POST', '/admin/groups', {
    name: 'ZTNAalpha',
    maxConnectors: 2,
  });
  key = group.key;
  groupId = group.id;
  await cloud.admin('PUT', `/admin/groups/${group.id}/apps`, [
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

  // The group's package, downloaded once; each VM gets its PoPDeployment.tar and infra.sh.
  const pkg = await downloadGroupPackage(cloud.adminUrl, group.id, runDir);
  writeVmHostFiles(runDir, s.resolvConf);
  for (const v of s.vms) {
    const dir = join(runDir, v.role);
    const fakeRoot = join(runDir, `${v.role}-root`);
    mkdirSync(dir);
    mkdirSync(fakeRoot);
    copyPackageTo(pkg, dir);
    vms.push({ role: v.role, engine: v.engine, hostname: `pa-gupd-${v.role}`, dir, fakeRoot });
  }
}, 1_800_000);

afterAll(async () => {
  try {
    await app?.stop();
    await cloud?.process.stop();
    await site?.stop();
    await pushRelay?.close();
    // The images go while the engine still runs (stop() ends an engine the test started).
    for (const ref of made) await removeLocalImage(ref).catch(() => undefined);
    await hostEngine?.stop();
  } finally {
    if (runDir) rmSync(runDir, { recursive: true, force: true });
    printFigures('a group of two POPs updated on the docker install', figures);
  }
}, 300_000);

/**
 * Every rolled service of a VM's POP healthy. infra.sh waits for the connector alone, and an
 * updated service may be replaced just before: another service's first health check may come an
 * interval (10 s) after it started, later still on a machine busy with two VMs. So each service
 * is awaited until its check has a verdict, healthy or not.
 */
async function expectEveryServiceHealthy(vm: Vm): Promise<void> {
  const states = await waitFor(
    `a health verdict for every service of ${vm.role}`,
    async () => {
      const h = await Promise.all(
        ROLLED.map(async (s) => ({ s, health: (await popService(vm.engine, s))?.health })),
      );
      return h.every((x) => x.health === 'healthy' || x.health === 'unhealthy') ? h : undefined;
    },
    120_000,
    1_000,
  );
  for (const { s, health } of states) {
    expect({ vm: vm.role, service: s, health }).toEqual({
      vm: vm.role,
      service: s,
      health: 'healthy',
    });
  }
}

function vmEnv(vm: Vm): NodeJS.ProcessEnv {
  return vm.engine.env({
    PA_INFRA_ROOT: vm.fakeRoot,
    ...vmHostEnv(runDir),
    PA_INFRA_HOSTNAME: vm.hostname,
    PA_INFRA_READY_TIMEOUT: '600',
  });
}

async function install(vm: Vm): Promise<void> {
  const t = Date.now();
  const r = await runCommand('bash', ['-c', documentCommand(key, false)], {
    cwd: vm.dir,
    env: vmEnv(vm),
    timeoutMs: 1_500_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.code !== 0)
    throw new Error(`infra.sh on ${vm.role} exited ${r.code}:\n${output.slice(-6000)}`);
  expect(output).not.toContain(key);
  figures[`install on ${vm.role}`] = seconds(Date.now() - t);
}

async function ingressCounts(): Promise<TunnelCounts[]> {
  const view = await (cloud as DocumentCloud).admin<{ tunnels: TunnelCounts[] }>(
    'GET',
    '/admin/ingress',
  );
  return view.tunnels;
}

/** Requests carried per connector id, summed over its tunnels. */
function carriedPerConnector(tunnels: readonly TunnelCounts[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tunnels) out[t.connectorId] = (out[t.connectorId] ?? 0) + t.carried;
  return out;
}

async function oneRequest(path: string): Promise<string | undefined> {
  const { ingress } = cloud as DocumentCloud;
  try {
    const a = await requestThroughIngress(
      ingress.host,
      ingress.port,
      `${APP.host}:${APP.port}`,
      path,
    );
    if (a.connectStatus === 200 && a.status === 200) return undefined;
    return `CONNECT ${a.connectStatus}${a.refusal ? ` (${a.refusal.trim().slice(0, 200)})` : ''}, status ${a.status ?? '-'} via ${a.gateway ?? '?'}`;
  } catch (err) {
    return (err as Error).message.slice(0, 300);
  }
}

/** `LOAD_LOOPS` users, each sending request after request until stopped. */
function startLoad() {
  let stopped = false;
  const started = Date.now();
  const result = { ok: 0, failed: [] as string[] };
  const loops = Array.from({ length: LOAD_LOOPS }, async (_, i) => {
    for (let n = 0; !stopped; n++) {
      const failure = await oneRequest(`/load-${i}-${n}`);
      if (failure === undefined) result.ok += 1;
      else result.failed.push(`user ${i} at ${seconds(Date.now() - started)}: ${failure}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  return {
    result,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return result;
    },
  };
}

async function updateStatus(vm: Vm): Promise<UpdateStatusAnswer> {
  const r = await fetchInsidePop(
    vm.engine,
    'update',
    'http://127.0.0.1:8082/update/status?history=50',
  );
  if (r.status !== 200) throw new Error(`update status on ${vm.role} answered ${r.status}`);
  return JSON.parse(r.body) as UpdateStatusAnswer;
}

/** `<host>/pa-gupd-<run>/<service>:<NEXT>`, derived from the installed image and pushed. */
async function publishImage(service: Released): Promise<{ image: string; digest: string }> {
  const registry = (site as DocumentSite).registry as { host: string };
  const relay = pushRelay as TcpRelay;
  const name = `pa-gupd-${run}/${service}`;
  const local = `${name}:${NEXT}`;
  await deriveImage(`pa-connector/${service}:${VERSION}`, local, {
    labels: { 'org.opencontainers.image.version': NEXT },
    env: { PA_VERSION: NEXT },
  });
  const pushed = `${relay.host}:${relay.port}/${name}:${NEXT}`;
  made.push(local, pushed);
  const digest = await pushImage(local, pushed);
  made.push(`${relay.host}:${relay.port}/${name}@${digest}`);
  // The registry's storage does not know the address it was pushed through.
  return { image: `${registry.host}/${name}:${NEXT}`, digest };
}

/** Every released service of the VM runs the release's image, healthy, and no trial is left. */
async function onRelease(
  vm: Vm,
  images: Record<Released, { image: string; digest: string }>,
): Promise<boolean> {
  const cs = await popContainers(vm.engine);
  if (cs.some((c) => c.trial)) return false;
  return RELEASED.every((s) => {
    const target = images[s];
    const ref = `${target.image.replace(/:[^:/]+$/, '')}@${target.digest}`;
    return cs.some(
      (c) => c.service === s && c.status === 'running' && c.health === 'healthy' && c.image === ref,
    );
  });
}

describe('a group of two POPs on the docker install, updated by one release', () => {
  const connectorIds: Record<string, string> = {};

  it('installs both POPs with the document command, both in the group', async () => {
    // Both VMs at once, as an operator with two consoles would.
    await Promise.all(vms.map((vm) => install(vm)));
    const c = cloud as DocumentCloud;
    const seen = await waitFor(
      'both connectors in the group',
      async () => {
        const list = await c.admin<Array<{ id: string; hostname: string; groupId: string }>>(
          'GET',
          '/admin/connectors',
        );
        const mine = list.filter((x) => x.groupId === groupId);
        return vms.every((vm) => mine.some((x) => x.hostname === vm.hostname)) ? mine : undefined;
      },
      120_000,
      2_000,
    );
    expect(seen).toHaveLength(2);
    for (const vm of vms) {
      connectorIds[vm.role] = (seen.find((x) => x.hostname === vm.hostname) as { id: string }).id;
    }
    for (const vm of vms) await expectEveryServiceHealthy(vm);
  }, 1_800_000);

  it('spreads users over both connectors', async () => {
    const ids = Object.values(connectorIds);
    expect(ids).toHaveLength(2);
    const spread = await waitFor(
      'both connectors carrying user requests',
      async () => {
        for (let i = 0; i < 8; i++) {
          const failure = await oneRequest(`/spread-${i}`);
          if (failure) figures['a request before the update failed'] = failure;
        }
        const per = carriedPerConnector(await ingressCounts());
        return ids.every((id) => (per[id] ?? 0) > 0) ? per : undefined;
      },
      120_000,
      1_000,
    );
    figures['carried before the update, per connector'] = JSON.stringify(spread);
  }, 300_000);

  it('updates both POPs to the published release when both check at once', async () => {
    let t = Date.now();
    const images = {} as Record<Released, { image: string; digest: string }>;
    for (const s of RELEASED) images[s] = await publishImage(s);
    figures[`${RELEASED.join(', ')} image derived and pushed`] = seconds(Date.now() - t);
    await (cloud as DocumentCloud).admin('PUT', '/admin/release', {
      version: NEXT,
      minAutoUpgradeVersion: VERSION,
      images,
    });

    const before: Record<string, string> = {};
    const watches: Record<string, ContainerEventWatch> = {};
    for (const vm of vms) {
      before[vm.role] = ((await popService(vm.engine, 'connector')) as { id: string }).id;
      watches[vm.role] = await watchServiceEvents(vm.engine, 'connector');
    }
    const load = startLoad();
    try {
      t = Date.now();
      // Both at once: the group's update slot is what has to keep them apart.
      const posted = await Promise.all(
        vms.map((vm) =>
          fetchInsidePop(vm.engine, 'update', 'http://127.0.0.1:8082/update/check', {
            method: 'POST',
          }),
        ),
      );
      expect(posted.map((p) => p.status)).toEqual([202, 202]);
      await Promise.all(
        vms.map(async (vm) => {
          let last: unknown;
          try {
            await waitFor(
              `${vm.role} on release ${NEXT}`,
              async () => {
                last = await popContainers(vm.engine).catch((e: Error) => e.message);
                return onRelease(vm, images).catch(() => false);
              },
              900_000,
              3_000,
            );
          } catch (err) {
            const status = await updateStatus(vm).catch((e: Error) => e.message);
            throw new Error(
              `${(err as Error).message}; containers: ${JSON.stringify(last)}; update status: ${JSON.stringify(status)}`,
            );
          }
          figures[`${vm.role}: update`] = seconds(Date.now() - t);
        }),
      );
      // A few seconds of load after both are done: a late failure counts too.
      await new Promise((r) => setTimeout(r, 5_000));
    } finally {
      outcome.load = await load.stop();
      for (const w of Object.values(watches)) await w.stop();
    }

    // Every figure first, so the assertions below (and the tests after) see both VMs.
    outcome.intervals = [];
    const rollouts: Record<string, string[][]> = {};
    for (const vm of vms) {
      const w = watches[vm.role] as ContainerEventWatch;
      const iv = replacementInterval(w.events, before[vm.role] as string);
      outcome.intervals.push({ role: vm.role, stoppedAt: iv.stoppedAt, healthyAt: iv.healthyAt });
      const at = (ms: number | undefined) => (ms === undefined ? '-' : seconds(ms - t));
      figures[`${vm.role}: old connector stopped .. new connector healthy (after the check)`] =
        `${at(iv.stoppedAt)} .. ${at(iv.healthyAt)}`;
      const { history } = await updateStatus(vm);
      const rollout = history.filter((h) => h.version === NEXT).reverse();
      figures[`${vm.role}: history of ${NEXT}`] = rollout
        .map((h) => `${h.service} ${h.result} ${h.at}`)
        .join(', ');
      rollouts[vm.role] = rollout.map((h) => [h.service, h.result]);
    }
    const per = carriedPerConnector(await ingressCounts());
    figures['carried in all, per connector'] = JSON.stringify(per);
    figures['requests during the update'] =
      `${outcome.load.ok + outcome.load.failed.length} (${outcome.load.ok} ok, ${outcome.load.failed.length} failed)`;
    if (outcome.load.failed.length > 0) {
      figures['failures (first 10)'] = outcome.load.failed.slice(0, 10).join(' | ');
    }
    // The update service's own record: the released service updated, nothing else touched.
    for (const vm of vms) {
      expect({ vm: vm.role, rollout: rollouts[vm.role] }).toEqual({
        vm: vm.role,
        rollout: RELEASED.map((s) => [s, 'updated']),
      });
    }
    // Every service of both POPs healthy once both are done.
    for (const vm of vms) await expectEveryServiceHealthy(vm);
  }, 1_800_000);

  it('never had both connectors out of service at once', () => {
    const [a, b] = outcome.intervals ?? [];
    for (const iv of [a, b]) {
      expect({
        role: iv?.role,
        stopped: typeof iv?.stoppedAt,
        healthy: typeof iv?.healthyAt,
      }).toEqual({ role: iv?.role, stopped: 'number', healthy: 'number' });
    }
    type Interval = { role: string; stoppedAt: number; healthyAt: number };
    const [first, second] = ([a, b] as Interval[]).sort((x, y) => x.stoppedAt - y.stoppedAt) as [
      Interval,
      Interval,
    ];
    // The second connector stopped only once the first one's successor was healthy.
    expect({
      first: first.role,
      second: second.role,
      secondStoppedBeforeFirstHealthy: second.stoppedAt < first.healthyAt,
      overlapSeconds: Math.max(0, (first.healthyAt - second.stoppedAt) / 1000),
    }).toEqual({
      first: first.role,
      second: second.role,
      secondStoppedBeforeFirstHealthy: false,
      overlapSeconds: 0,
    });
  });

  it('failed no user request during the update', () => {
    const load = outcome.load;
    expect(load).toBeDefined();
    expect(load?.ok).toBeGreaterThan(0);
    expect(load?.failed).toEqual([]);
  });
});

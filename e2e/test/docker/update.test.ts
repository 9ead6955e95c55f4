import { randomBytes } from 'node:crypto';
import { requireBinary, waitFor } from '@pa-connector/test-support';
import { mustRun } from '../../src/docker/command';
import type { ComposeProject, ContainerState } from '../../src/docker/compose-project';
import {
  type ComposeStack,
  printFigures,
  seconds,
  startComposeStack,
  VERSION,
} from '../../src/docker/compose-stack';
import { type LocalRegistry, startRegistry } from '../../src/docker/registry';
import { deriveImage, pushImage, removeLocalImage } from '../../src/docker/release-images';

// The update service on the compose stack: a real dockerd, a real registry (Debian's
// docker-registry), release manifests published in the emulator, and the update container
// replacing the others through the Docker socket.

const run = randomBytes(4).toString('hex');
const ROLLED = ['logging', 'pop-manager', 'connector', 'update'] as const;
type Rolled = (typeof ROLLED)[number];
let figures: Record<string, string> = {};
let stack: ComposeStack | undefined;
let registry: LocalRegistry | undefined;
let p: ComposeProject;
/** Every image reference the test made, removed at the end. */
const made: string[] = [];

interface Release {
  version: string;
  minAutoUpgradeVersion?: string;
  images: Partial<Record<Rolled, { image: string; digest: string }>>;
}

interface UpdateStatusAnswer {
  status: Record<string, string>;
  history: Array<{ service: string; result: string; version: string; at: string; message: string }>;
}

/** `pa-connector/<service>:<VERSION>` plus a label and PA_VERSION, pushed; its registry digest. */
async function publishImage(
  service: Rolled,
  version: string,
  o: { cmd?: string[] } = {},
): Promise<{ image: string; digest: string }> {
  const local = `pa-e2e-${run}/${service}:${version}`;
  await deriveImage(`pa-connector/${service}:${VERSION}`, local, {
    labels: { 'org.opencontainers.image.version': version },
    env: { PA_VERSION: version },
    ...(o.cmd ? { cmd: o.cmd } : {}),
  });
  const remote = `${registry?.host}/pa-e2e-${run}/${service}:${version}`;
  made.push(local, remote);
  const digest = await pushImage(local, remote);
  // Not here any more: the update service has to pull it from the registry (by digest).
  await removeLocalImage(remote);
  made.push(`${remote.replace(/:[^:/]+$/, '')}@${digest}`);
  return { image: remote, digest };
}

async function publishRelease(release: Release): Promise<void> {
  const r = await p.fetchInside('emulator', 'http://127.0.0.1:8444/admin/release', {
    method: 'PUT',
    body: release,
  });
  expect(r.status).toBe(200);
}

async function updateStatus(): Promise<UpdateStatusAnswer> {
  const r = await p.fetchInside('update', 'http://127.0.0.1:8082/update/status?history=50');
  expect(r.status).toBe(200);
  return JSON.parse(r.body) as UpdateStatusAnswer;
}

/** POST /update/check, then waits for the check to end in one of `states`. */
async function checkUntil(states: string[], timeoutMs: number): Promise<UpdateStatusAnswer> {
  const before = (await updateStatus()).status.checkedAt;
  const posted = await p.fetchInside('update', 'http://127.0.0.1:8082/update/check', {
    method: 'POST',
  });
  expect(posted.status).toBe(202);
  let last: UpdateStatusAnswer | undefined;
  try {
    return await waitFor(
      `the update check to end in ${states.join(' or ')}`,
      async () => {
        last = await updateStatus().catch(() => undefined);
        const s = last?.status;
        return s?.state && s.checkedAt !== before && states.includes(s.state) ? last : undefined;
      },
      timeoutMs,
      1_000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last: ${JSON.stringify(last?.status)}`);
  }
}

/** id and state of each rolled service's running container. */
async function snapshot(): Promise<Record<string, ContainerState>> {
  const cs = await p.containers();
  return Object.fromEntries(
    ROLLED.map((s) => [
      s,
      cs.find((c) => c.service === s && !c.trial && c.status === 'running') as ContainerState,
    ]),
  );
}

/**
 * Polls each service's own listener (`path` on its port, from inside its container) every 2 s
 * until stopped: how many answers were 200, and each poll that got none (with why). A poll that
 * fails is tried once more half a second later before it counts: `docker exec` itself can fail
 * on a loaded dockerd, while a service that is down stays down; the first failures are kept in
 * `retried` for the printout.
 */
function watchServing(ports: Record<string, number>, path = '/ready') {
  const answered: Record<string, number> = Object.fromEntries(
    Object.keys(ports).map((s) => [s, 0]),
  );
  const failed: string[] = [];
  const retried: string[] = [];
  const started = Date.now();
  const once = async (s: string, port: number): Promise<string | undefined> => {
    try {
      const r = await p.fetchInside(s, `http://127.0.0.1:${port}${path}`);
      return r.status === 200 ? undefined : `answered ${r.status}`;
    } catch (err) {
      return (err as Error).message.slice(0, 200);
    }
  };
  const poll = async (s: string, port: number) => {
    const at = seconds(Date.now() - started);
    const first = await once(s, port);
    if (first === undefined) {
      answered[s] = (answered[s] ?? 0) + 1;
      return;
    }
    retried.push(`${s} at ${at}: ${first}`);
    await new Promise((r) => setTimeout(r, 500));
    const second = await once(s, port);
    if (second === undefined) answered[s] = (answered[s] ?? 0) + 1;
    else failed.push(`${s} at ${at}: ${first}; again: ${second}`);
  };
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    for (const [s, port] of Object.entries(ports)) {
      const probe = poll(s, port).finally(() => pending.delete(probe));
      pending.add(probe);
    }
  }, 2_000);
  return {
    answered,
    failed,
    retried,
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

/** Every service's container is the one it was, never restarted, and no trial is left. */
async function expectUntouched(before: Record<string, ContainerState>): Promise<void> {
  const after = await snapshot();
  for (const s of ROLLED) {
    expect({ service: s, id: after[s]?.id, startedAt: after[s]?.startedAt }).toEqual({
      service: s,
      id: before[s]?.id,
      startedAt: before[s]?.startedAt,
    });
  }
  expect((await p.containers()).filter((c) => c.trial)).toEqual([]);
}

async function imageOf(containerId: string): Promise<string> {
  const r = await mustRun('docker', ['inspect', '--format', '{{.Config.Image}}', containerId]);
  return r.stdout.trim();
}

async function serviceVersions(): Promise<Record<string, string>> {
  const r = await p.fetchInside('pop-manager', 'http://127.0.0.1:8083/status');
  const body = JSON.parse(r.body) as {
    services: Array<{ name: string; version?: string; status: string }>;
  };
  return Object.fromEntries(body.services.map((s) => [s.name, `${s.version}/${s.status}`]));
}

beforeAll(async () => {
  requireBinary('docker-registry', 'docker-registry');
  registry = await startRegistry();
  stack = await startComposeStack({
    run,
    hostname: `pa-upd-${run}`,
    env: {
      // Checks only when the test asks (POST /update/check).
      PA_UPDATE_INITIAL_DELAY: '1h',
      PA_UPDATE_HEALTH_TIMEOUT: '90s',
    },
  });
  p = stack.project;
  figures = stack.figures;
}, 900_000);

afterAll(async () => {
  try {
    // The images go while dockerd still runs (stop() ends a dockerd the test started).
    await stack?.stop(async () => {
      for (const ref of made) await removeLocalImage(ref);
    });
  } finally {
    await registry?.stop();
    printFigures('update e2e figures', figures);
  }
}, 240_000);

/**
 * Publishes a release that is `base` but for one service's image, which runs `cmd`; runs a
 * check while `watch` polls the listed services (port, path) every 2 s; the check's outcome, the
 * watch counts and how long the check took.
 */
async function checkBrokenRelease(
  base: Release,
  o: {
    service: Rolled;
    version: string;
    cmd: string[];
    watch: Record<string, number>;
    watchPath?: string;
  },
) {
  const bad = await publishImage(o.service, o.version, { cmd: o.cmd });
  await publishRelease({
    ...base,
    version: o.version,
    images: { ...base.images, [o.service]: bad },
  });
  const t = Date.now();
  const watch = watchServing(o.watch, o.watchPath);
  try {
    const out = await checkUntil(['trial-failed', 'rolled-back', 'failed', 'updated'], 300_000);
    return { out, watch, took: seconds(Date.now() - t) };
  } finally {
    await watch.stop();
    if (watch.retried.length > 0) {
      figures[`${o.version} polls tried twice`] = watch.retried.join(' | ');
    }
  }
}

describe('the update service on the compose stack (real dockerd and registry)', () => {
  const next = '99.1.0';
  let release: Release;

  it('rolls every service to a new release, one at a time, itself last', async () => {
    const before = await snapshot();
    let t = Date.now();
    release = { version: next, images: {} };
    for (const s of ROLLED) release.images[s] = await publishImage(s, next);
    figures['4 images pushed'] = seconds(Date.now() - t);
    await publishRelease(release);

    t = Date.now();
    // The update service hands over to its successor at the end: the successor's status is
    // what answers by then (its first check has not run, so the last state stays "updating").
    await checkUntil(['updating', 'updated', 'rolled-back', 'failed'], 600_000).catch(
      () => undefined,
    );
    await waitFor(
      'the new update service to answer',
      async () => {
        const s = await snapshot();
        return s.update && s.update.id !== before.update?.id && s.update.health === 'healthy';
      },
      300_000,
      1_000,
    );
    await p.waitHealthy(
      ['redis', 'connector', 'logging', 'update', 'pop-manager', 'emulator'],
      240_000,
    );
    figures['rollout of 4 services'] = seconds(Date.now() - t);

    const after = await snapshot();
    for (const s of ROLLED) {
      expect(after[s]?.id).not.toBe(before[s]?.id);
      const target = release.images[s] as { image: string; digest: string };
      expect(await imageOf(after[s]?.id as string)).toBe(
        `${target.image.replace(/:[^:/]+$/, '')}@${target.digest}`,
      );
    }
    // Each image was tried beside the running container first; no trial container is left.
    expect((await p.containers()).filter((c) => c.trial)).toEqual([]);
    // Nothing set aside is left: each replaced container was removed (the update service's
    // predecessor by its successor, once that runs).
    await waitFor(
      'one container per service',
      async () =>
        (await p.containers()).filter((c) => ROLLED.includes(c.service as Rolled)).length === 4,
      60_000,
      1_000,
    );

    const { history } = await updateStatus();
    const rollout = history.filter((h) => h.version === next).reverse();
    expect(rollout.map((h) => [h.service, h.result])).toEqual(ROLLED.map((s) => [s, 'updated']));
    // One at a time: each new container started after the previous service was done.
    for (let i = 1; i < ROLLED.length; i++) {
      const started = await mustRun('docker', [
        'inspect',
        '--format',
        '{{.Created}}',
        after[ROLLED[i] as Rolled]?.id as string,
      ]);
      expect(Date.parse(started.stdout.trim())).toBeGreaterThan(
        Date.parse(rollout[i - 1]?.at as string) - 1000,
      );
    }
    await waitFor(
      'every service to report the new version',
      async () => {
        const v = await serviceVersions();
        return ROLLED.every((s) => v[s] === `${next}/up`) ? v : undefined;
      },
      60_000,
      1_000,
    );
    // The connector came back enrolled with both tunnels.
    const ready = JSON.parse(
      (await p.fetchInside('connector', 'http://127.0.0.1:8080/ready')).body,
    );
    expect(ready.checks.tunnels?.detail).toMatchObject({ up: 2, total: 2 });
  });

  it('a broken image (it exits) fails its trial run; the running logging container is never stopped', async () => {
    const before = await snapshot();
    const broken = '99.2.0';
    const { out, watch, took } = await checkBrokenRelease(release, {
      service: 'logging',
      version: broken,
      cmd: ['node', '-e', 'console.error("broken release"); process.exit(1)'],
      watch: { logging: 8081, connector: 8080 },
    });
    figures['broken image (exits): trial failed'] = took;
    expect(out.status.state).toBe('trial-failed');
    expect(out.status.message).toMatch(
      /^logging: the new image failed its trial run \(.*\); the running container was not touched$/,
    );
    expect(out.history[0]).toMatchObject({
      service: 'logging',
      result: 'trial-failed',
      version: broken,
    });
    await expectUntouched(before);
    expect(watch.failed).toEqual([]);
    expect(watch.answered.logging).toBeGreaterThan(0);
  });

  it('an image that fails its health check (compose /ready check) fails its trial run; pop-manager keeps serving its status', async () => {
    const before = await snapshot();
    const sick = '99.2.1';
    // Listens on the service's port but answers 503 to everything, /ready included: Docker marks
    // it unhealthy once the start period is over and three checks failed.
    const { out, watch, took } = await checkBrokenRelease(release, {
      service: 'pop-manager',
      version: sick,
      cmd: [
        'node',
        '-e',
        'require("node:http").createServer((q, s) => { s.statusCode = 503; s.end("not ready"); }).listen(Number(process.env.PA_HTTP_PORT))',
      ],
      watch: { 'pop-manager': 8083 },
      watchPath: '/status',
    });
    figures['unhealthy image: trial failed'] = took;
    expect(out.status.state).toBe('trial-failed');
    expect(out.status.message).toMatch(
      /^pop-manager: the new image failed its trial run \(health check failed.*\); the running container was not touched$/,
    );
    expect(out.history[0]).toMatchObject({
      service: 'pop-manager',
      result: 'trial-failed',
      version: sick,
    });
    await expectUntouched(before);
    // Its status page answered all along, a check every 2 s for over a minute.
    expect(watch.failed).toEqual([]);
    expect(watch.answered['pop-manager']).toBeGreaterThan(20);
  });

  it("an image that passes its trial but exits in the service's place is rolled back to the previous container", async () => {
    const before = await snapshot();
    const late = '99.2.2';
    // Healthy as a trial run (PA_TRIAL_RUN=true), broken once it is the service.
    const { out, watch, took } = await checkBrokenRelease(release, {
      service: 'logging',
      version: late,
      cmd: [
        'node',
        '-e',
        'if (process.env.PA_TRIAL_RUN === "true") require("node:http").createServer((q, s) => s.end("{}")).listen(Number(process.env.PA_HTTP_PORT)); else { console.error("broken release"); process.exit(1); }',
      ],
      watch: { connector: 8080 },
    });
    figures['broken in place (exits): rolled back'] = took;
    expect(out.status.state).toBe('rolled-back');
    expect(out.status.message).toMatch(
      /^logging: the new container was not healthy \(.*\); rolled back to the previous image, which runs again$/,
    );
    expect(out.history[0]).toMatchObject({
      service: 'logging',
      result: 'rolled-back',
      version: late,
    });
    await p.waitHealthy(['logging'], 120_000);
    const after = await snapshot();
    // The same containers, the old logging one included (renamed back and started again).
    for (const s of ROLLED) expect(after[s]?.id).toBe(before[s]?.id);
    expect(after.logging?.startedAt).not.toBe(before.logging?.startedAt);
    expect(watch.failed).toEqual([]);
    expect((await p.containers()).filter((c) => c.service === 'logging')).toHaveLength(1);
  });

  it("refuses an image whose digest is not the release's, and changes nothing", async () => {
    const before = await snapshot();
    const other = await publishImage('pop-manager', '99.3.0');
    const wrong = await publishImage('pop-manager', '99.3.1');
    await publishRelease({
      ...release,
      version: '99.3.0',
      images: { ...release.images, 'pop-manager': { image: other.image, digest: wrong.digest } },
    });
    const out = await checkUntil(['failed', 'updated', 'rolled-back'], 300_000);
    expect(out.status).toMatchObject({ state: 'failed', lastError: 'digest_mismatch' });
    expect(out.history[0]).toMatchObject({ service: 'pop-manager', result: 'refused' });
    const after = await snapshot();
    for (const s of ROLLED) expect(after[s]?.id).toBe(before[s]?.id);
  });

  it('with the registry down, nothing is stopped or removed', async () => {
    const before = await snapshot();
    const countBefore = (await p.containers()).length;
    const newer = await publishImage('connector', '99.4.0');
    await publishRelease({
      ...release,
      version: '99.4.0',
      images: { ...release.images, connector: newer },
    });
    await registry?.pause();
    let out: UpdateStatusAnswer;
    try {
      out = await checkUntil(['failed', 'updated', 'rolled-back'], 300_000);
    } finally {
      await registry?.resume();
    }
    expect(out.status).toMatchObject({ state: 'failed', lastError: 'pull_failed' });
    expect(out.status.message).toMatch(/^connector: pulling .*; nothing was changed$/);
    const after = await snapshot();
    for (const s of ROLLED) {
      expect(after[s]?.id).toBe(before[s]?.id);
      expect(after[s]?.status).toBe('running');
    }
    expect((await p.containers()).length).toBe(countBefore);
  });

  it('below the oldest version that may upgrade itself: "manual upgrade required", shown by pa-operator version', async () => {
    await publishRelease({ ...release, version: '99.5.0', minAutoUpgradeVersion: '99.4.5' });
    const out = await checkUntil(['manual-upgrade-required', 'failed', 'updated'], 120_000);
    expect(out.status).toMatchObject({
      state: 'manual-upgrade-required',
      running: next,
      available: '99.5.0',
    });
    const shown = await waitFor(
      'pa-operator version to show it',
      async () => {
        const r = await p.exec('pop-manager', ['pa-operator', 'version']);
        return r.stdout.includes('manual-upgrade-required') ? r.stdout : undefined;
      },
      30_000,
      1_000,
    );
    expect(shown).toMatch(/SERVICE\s+RUNNING\s+AVAILABLE/);
    expect(shown).toMatch(new RegExp(`connector\\s+${next.replace(/\./g, '\\.')}\\s+99\\.5\\.0`));
    expect(shown).toMatch(
      /Update service: manual-upgrade-required \(manual upgrade required: this POP runs 99\.1\.0; release 99\.5\.0 upgrades automatically only from 99\.4\.5 on/,
    );
  });
});

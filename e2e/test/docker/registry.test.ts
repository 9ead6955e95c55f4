import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { mustRun, runCommand } from '../../src/docker/command';
import { type Dockerd, ensureDockerd } from '../../src/docker/dockerd';
import { type LocalRegistry, startRegistry } from '../../src/docker/registry';
import {
  buildImage,
  deriveImage,
  fetchManifest,
  pullImage,
  pushImage,
  removeLocalImage,
} from '../../src/docker/release-images';

const run = randomBytes(4).toString('hex');
// A busybox alone FROM scratch: a layer of a few MB, quick to copy under the vfs driver.
const LOCAL = `pa-e2e-tiny-${run}`;
const BASE = `${LOCAL}:base`;
const REPO = `pa-e2e/tiny-${run}`;

let dockerd: Dockerd | undefined;
let registry: LocalRegistry | undefined;
let dir: string | undefined;
/** Every image reference this file may have created, removed one by one at the end. */
const refs = new Set<string>([BASE]);
const digests: Record<string, string> = {};

function remote(tag: string): string {
  const ref = `${(registry as LocalRegistry).host}/${REPO}:${tag}`;
  refs.add(ref);
  return ref;
}

async function labelOf(ref: string, label: string): Promise<string> {
  const r = await mustRun('docker', [
    'inspect',
    '--format',
    `{{index .Config.Labels ${JSON.stringify(label)}}}`,
    ref,
  ]);
  return r.stdout.trim();
}

beforeAll(async () => {
  requireRoot('dockerd');
  requireBinary('dockerd', 'docker.io');
  requireBinary('docker', 'docker.io');
  requireBinary('docker-registry', 'docker-registry');
  const busybox = requireBinary('busybox', 'busybox-static');

  dockerd = await ensureDockerd();
  registry = await startRegistry();

  dir = mkdtempSync(join(tmpdir(), 'pa-registry-test-'));
  copyFileSync(busybox, join(dir, 'busybox'));
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /busybox\nCMD ["/busybox", "true"]\n',
  );
  await buildImage(dir, BASE);
}, 300_000);

afterAll(async () => {
  try {
    await registry?.stop();
    for (const ref of refs) await removeLocalImage(ref);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await dockerd?.stop();
  }
}, 180_000);

describe('a local docker-registry and release images (real dockerd)', () => {
  it('pushes an image and pulls it back under the digest the registry serves', async () => {
    const ref = remote('1');
    const digest = await pushImage(BASE, ref);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    digests['1'] = digest;

    expect(await removeLocalImage(ref)).toBe(true);
    expect(await removeLocalImage(ref)).toBe(false);
    expect(await pullImage(ref)).toBe(digest);
    const inspect = await mustRun('docker', ['inspect', '--format', '{{json .RepoDigests}}', ref]);
    expect(JSON.parse(inspect.stdout)).toContain(
      `${(registry as LocalRegistry).host}/${REPO}@${digest}`,
    );
  });

  it('gives a derived image with a new version label a new digest over the same layers', async () => {
    const local = `${LOCAL}:2`;
    refs.add(local);
    await deriveImage(BASE, local, { labels: { 'org.opencontainers.image.version': '2' } });
    const digest = await pushImage(local, remote('2'));
    expect(digest).not.toBe(digests['1']);

    const host = (registry as LocalRegistry).host;
    const [one, two] = await Promise.all([
      fetchManifest(host, REPO, '1'),
      fetchManifest(host, REPO, '2'),
    ]);
    expect(two.digest).toBe(digest);
    expect(two.layers).toEqual(one.layers);
    expect(two.config.digest).not.toBe(one.config.digest);
    expect(await labelOf(local, 'org.opencontainers.image.version')).toBe('2');
    expect(await labelOf(BASE, 'org.opencontainers.image.version')).toBe('');
  });

  it('derives a broken release: its CMD runs with its ENV, quoted as given, and exits 1', async () => {
    const local = `${LOCAL}:broken`;
    refs.add(local);
    const value = 'a "quoted" $HOME \\ value';
    await deriveImage(BASE, local, {
      env: { PA_PROBE: value },
      cmd: ['/busybox', 'sh', '-c', 'echo "$PA_PROBE"; exit 1'],
    });
    const r = await runCommand('docker', ['run', '--rm', '--network', 'none', local], {
      timeoutMs: 120_000,
    });
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: `${value}\n` });
  });

  it('fails a pull clearly while paused and serves the same digest again once resumed', async () => {
    const reg = registry as LocalRegistry;
    const ref = remote('1');
    expect(await removeLocalImage(ref)).toBe(true);
    const before = reg.pid;

    await reg.pause();
    expect(() => process.kill(before, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    const down = await runCommand('docker', ['pull', ref], { timeoutMs: 120_000 });
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain(`http://${reg.host}/v2/`);
    expect(down.stderr).toMatch(/connection refused/);

    await reg.resume();
    expect(reg.pid).not.toBe(before);
    expect(await pullImage(ref)).toBe(digests['1']);
  });

  it('stops: no registry process left and its directory removed', async () => {
    const reg = registry as LocalRegistry;
    const pid = reg.pid;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await reg.stop();
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(existsSync(reg.dir)).toBe(false);
    const gone = await runCommand('docker', ['pull', remote('1')], { timeoutMs: 120_000 });
    expect(gone.code).not.toBe(0);
  });
});

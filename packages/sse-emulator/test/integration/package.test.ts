import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@pa-connector/test-support';
import { startTestEmulator, type TestEmulator } from '../support/harness';

const run = promisify(execFile);

// The package route with a small stand-in PoPDeployment.tar and an infra.sh holding the block:
// the answer is unpacked with tar and the filled block read back by bash itself.
const INFRA = `#!/usr/bin/env bash
set -euo pipefail
# >>> cloud package settings (written by the packager; empty in a source checkout)
PKG_CLOUD_ENV=''
PKG_CLOUD_CA=''
# <<< cloud package settings
printf '%s\\n---\\n%s\\n' "$PKG_CLOUD_ENV" "$PKG_CLOUD_CA"
`;

let work: string;
let bundle: string;
let t: TestEmulator;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pa-package-test-'));
  await mkdir(join(work, 'deployment'));
  for (const [name, text] of [
    ['compose.yaml', 'services: {}\n'],
    ['release.json', '{"version":"v1.0.0.3"}\n'],
    // Larger than the pipes between tar and the client: an abandoned download leaves tar waiting.
    ['images.tar', 'x'.repeat(8 * 1024 * 1024)],
  ] as const) {
    await writeFile(join(work, 'deployment', name), text);
  }
  bundle = join(work, 'bundle-1.tar');
  await run('tar', ['-cf', bundle, '-C', join(work, 'deployment'), '.']);
  t = await startTestEmulator({
    endpoints: [
      { purpose: 'registration', port: 0 },
      { purpose: 'tokens', port: 0 },
      { purpose: 'catalog', port: 0 },
      { purpose: 'collector', port: 0 },
      { purpose: 'collector', port: 0 },
    ],
    package: { bundlePath: bundle, infraScript: INFRA },
  });
});
afterAll(async () => {
  await t?.cleanup();
  await rm(work, { recursive: true, force: true });
});

async function download(groupId: string) {
  const res = await fetch(new URL(`/admin/groups/${groupId}/package`, t.emu.adminUrl));
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

const packageDirs = async () =>
  (await readdir(tmpdir())).filter((n) => n.startsWith('pa-package-') && !n.includes('test'));

describe('GET /admin/groups/:id/package', () => {
  it('answers PoPPackage.tar: Infrastructure.tar with the filled infra.sh, and the bundle', async () => {
    const before = await packageDirs();
    const group = await t.admin.post('/admin/groups', { name: 'branch' });
    const { res, bytes } = await download(group.body.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="PoPPackage.tar"');

    const out = join(work, 'out');
    await mkdir(out);
    await writeFile(join(out, 'PoPPackage.tar'), bytes);
    const listed = (await run('tar', ['-tf', 'PoPPackage.tar'], { cwd: out })).stdout;
    expect(listed.split('\n').filter(Boolean).sort()).toEqual([
      'Infrastructure.tar',
      'PoPDeployment.tar',
    ]);
    await run('tar', ['-xf', 'PoPPackage.tar'], { cwd: out });
    // Buffer.equals: jest's toEqual walks an 8 MB buffer byte by byte.
    const given = await readFile(bundle);
    expect((await readFile(join(out, 'PoPDeployment.tar'))).equals(given)).toBe(true);
    await run('tar', ['-xf', 'Infrastructure.tar'], { cwd: out });
    const script = join(out, 'vCenter', 'infra.sh');
    expect((await run('stat', ['-c', '%a', script])).stdout.trim()).toBe('755');

    const { stdout } = await run('bash', [script]);
    const [env, ca] = stdout.split('\n---\n');
    const e = t.emu.endpoints;
    expect(env?.split('\n')).toEqual([
      'PA_CLOUD_PROFILE=saas',
      `PA_REGISTRATION_URL=${e.registration[0]}`,
      `PA_TOKEN_URL=${e.tokens[0]}`,
      `PA_CATALOG_URL=${e.catalog[0]}`,
      `PA_COLLECTOR_URLS=${e.collector.join(',')}`,
    ]);
    expect(e.collector).toHaveLength(2);
    expect(ca?.trimEnd()).toBe(t.emu.caCertPem.trimEnd());
    // The rest of the script is as given.
    const text = await readFile(script, 'utf8');
    expect(text.startsWith('#!/usr/bin/env bash\nset -euo pipefail\n# >>> cloud package')).toBe(
      true,
    );
    expect(
      text.endsWith(
        '# <<< cloud package settings\nprintf \'%s\\n---\\n%s\\n\' "$PKG_CLOUD_ENV" "$PKG_CLOUD_CA"\n',
      ),
    ).toBe(true);

    // The temporary directory goes away with the download.
    await waitFor(
      'the package temp directory removed',
      async () => (await packageDirs()).length <= before.length,
      5000,
    );
  });

  it('stops tar and removes its directory when the client goes away mid-download', async () => {
    const before = await packageDirs();
    const group = await t.admin.post('/admin/groups', { name: 'abandoned' });
    const abort = new AbortController();
    const res = await fetch(new URL(`/admin/groups/${group.body.id}/package`, t.emu.adminUrl), {
      signal: abort.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    expect((await packageDirs()).length).toBe(before.length + 1);
    abort.abort();
    await waitFor(
      'the abandoned package temp directory removed',
      async () => (await packageDirs()).length <= before.length,
      5000,
    );
  });

  it('is 404 for an unknown group', async () => {
    const { res, bytes } = await download('grp_nope');
    expect(res.status).toBe(404);
    expect(JSON.parse(bytes.toString()).error.code).toBe('not_found');
  });

  it('is 404 with what to do when no bundle is configured', async () => {
    const plain = await startTestEmulator();
    try {
      const group = await plain.admin.post('/admin/groups', { name: 'branch' });
      const res = await plain.admin.get(`/admin/groups/${group.body.id}/package`);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        'no package is configured (start the emulator with --bundle PoPDeployment.tar and --infra-script infra.sh)',
      );
    } finally {
      await plain.cleanup();
    }
  });

  it('refuses to start with a missing bundle or a script without the block', async () => {
    await expect(
      startTestEmulator({
        dataDir: join(work, 'no-bundle'),
        package: { bundlePath: join(work, 'missing.tar'), infraScript: INFRA },
      }),
    ).rejects.toThrow(/bundle .*missing\.tar: ENOENT/);
    await expect(
      startTestEmulator({
        dataDir: join(work, 'no-block'),
        package: { bundlePath: bundle, infraScript: 'echo hi\n' },
      }),
    ).rejects.toThrow(/exactly one .* block/);
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot } from '@pa-connector/test-support';
import { runCommand } from '../../src/docker/command';

const ROOT = join(__dirname, '../../..');
const script = (name: string) => join(ROOT, 'docker', name);
/** A key as the cloud issues one: base64url of its JSON fields. */
const KEY = Buffer.from(
  JSON.stringify({
    connectorName: 'demo',
    customerId: 'cus_1',
    keyId: '0123456789abcdef',
    secret: 'A'.repeat(43),
  }),
).toString('base64url');

let dir: string;
beforeAll(() => {
  requireRoot('init-secrets.sh hands its files to uid 10001');
  dir = mkdtempSync(join(tmpdir(), 'pa-docker-scripts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docker/ scripts refuse bad arguments with a message naming them', () => {
  it.each([
    ['build-images.sh', ['--tag', 'a b'], /--tag: "a b" is not a valid image tag/],
    ['build-images.sh', ['--only', 'connector,nope'], /--only: unknown image "nope"/],
    ['build-images.sh', ['--base-image', 'x;y'], /--base-image: not an image name: x;y/],
    ['build-images.sh', ['--bogus'], /unknown argument: --bogus/],
    ['build-bundle.sh', ['--tag', 'a b'], /--tag: "a b" is not a valid image tag/],
    [
      'build-bundle.sh',
      ['--out', '/nonexistent/x.tar'],
      /--out: directory \/nonexistent does not exist/,
    ],
    ['build-bundle.sh', ['--bogus'], /unknown option: --bogus/],
    ['build-base-image.sh', ['--mirror', 'http://x/$(id)'], /not a mirror URL/],
    ['build-base-image.sh', ['--image', 'Bad Name'], /not an image name: Bad Name/],
    ['init-secrets.sh', ['--provisioning-key-file'], /--provisioning-key-file needs a value/],
  ])('%s %j', async (name, args, message) => {
    const r = await runCommand('bash', [script(name), ...args], { timeoutMs: 30_000 });
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 64,
      stderr: expect.stringMatching(message),
    });
  });

  it.each([
    ['shell syntax', 'eyJ$(touch /tmp/x)'],
    ['base64url of text that is not an object', Buffer.from('key=1').toString('base64url')],
    ['an old-style dotted key', `pak1.0123456789abcdef.${'A'.repeat(43)}`],
    ['a key cut to an impossible length', KEY.slice(0, 5)],
  ])('init-secrets.sh refuses %s as a provisioning key and writes nothing', async (_what, key) => {
    const secrets = join(dir, 'refused');
    const r = await runCommand(
      'bash',
      [script('init-secrets.sh'), '--dir', secrets, '--provisioning-key-stdin'],
      { input: `${key}\n`, timeoutMs: 30_000 },
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr:
        'init-secrets: the provisioning key is not a key as the cloud issues it (base64url of a JSON object)\n',
    });
    expect(existsSync(secrets)).toBe(false);
  });
});

describe('docker/init-secrets.sh', () => {
  it('writes 0600 files of uid 10001 in a 0700 directory and keeps them on a second run', async () => {
    const secrets = join(dir, 'secrets');
    const config = join(dir, 'config');
    const args = [script('init-secrets.sh'), '--dir', secrets, '--config-dir', config];
    const first = await runCommand('bash', [...args, '--provisioning-key-stdin'], {
      input: `${KEY}\n`,
      timeoutMs: 30_000,
    });
    expect(first.code).toBe(0);
    // The key itself is never echoed.
    expect(first.stdout + first.stderr).not.toContain(KEY);
    for (const d of [secrets, config]) {
      const st = statSync(d);
      expect({ d, mode: (st.mode & 0o777).toString(8), uid: st.uid }).toEqual({
        d,
        mode: '700',
        uid: 10001,
      });
    }
    for (const f of ['redis-password', 'internal-api-token', 'provisioning-key']) {
      const st = statSync(join(secrets, f));
      expect({ f, mode: (st.mode & 0o777).toString(8), uid: st.uid, gid: st.gid }).toEqual({
        f,
        mode: '600',
        uid: 10001,
        gid: 10001,
      });
    }
    expect(readFileSync(join(secrets, 'provisioning-key'), 'utf8')).toBe(KEY);
    const password = readFileSync(join(secrets, 'redis-password'), 'utf8');
    expect(password).toMatch(/^[A-Za-z0-9]{30,}$/);

    const second = await runCommand('bash', args, { timeoutMs: 30_000 });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/redis-password kept/);
    expect(readFileSync(join(secrets, 'redis-password'), 'utf8')).toBe(password);
    expect(readFileSync(join(secrets, 'provisioning-key'), 'utf8')).toBe(KEY);
  });
});

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseProvisioningKey, SseRoutes } from '@pa-connector/sse-api';
import { newIdentity } from '../support/identity';
import { sseRequest } from '../support/sse-client';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../../..');
const CLI = resolve(__dirname, '../../dist/cli.js');

interface Listening {
  event: 'listening';
  sseUrl: string;
  endpoints?: Record<string, string[]>;
  adminUrl: string;
  caCertPath: string;
}

const children: ChildProcess[] = [];
let dataDir: string;

beforeAll(async () => {
  // The test runs the built CLI, so build it (and the packages it references) first.
  execFileSync('pnpm', ['exec', 'tsc', '-b', 'packages/sse-emulator'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  dataDir = await mkdtemp(join(tmpdir(), 'pa-emulator-cli-'));
}, 120_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      process.kill(child.pid, 'SIGKILL');
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

function serve(
  args: string[],
): Promise<{ child: ChildProcess; listening: Listening; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolvePromise, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      const line = stdout.split('\n').find((l) => l.includes('"event":"listening"'));
      if (line) resolvePromise({ child, listening: JSON.parse(line), stderr: () => stderr });
    });
    child.on('exit', (code) =>
      reject(new Error(`emulator exited ${code} before listening: ${stderr}`)),
    );
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.on('exit', (code) => r(code)));
}

async function cli(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args]);
  return stdout;
}

describe('pa-emulator CLI', () => {
  it('serves, takes admin commands, stops on SIGTERM and keeps state across a restart', async () => {
    const tokenFile = join(dataDir, 'admin-token');
    await writeFile(tokenFile, 'cli-admin-token\n', { mode: 0o600 });
    const args = [
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--admin-port',
      '0',
      '--admin-token-file',
      tokenFile,
      '--token-lifetime',
      '30s',
      '--region',
      'edge=127.0.0.1:11194/udp,[::1]:11195/tcp',
    ];
    const { child, listening, stderr } = await serve(args);
    expect(listening.sseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = await readFile(listening.caCertPath, 'utf8');
    expect((await stat(join(dataDir, 'ca.key'))).mode & 0o777).toBe(0o600);

    const admin = ['--admin-url', listening.adminUrl, '--admin-token-file', tokenFile];
    const group = JSON.parse(
      await cli(['group', 'create', '--name', 'demo', '--max-connectors', '2', ...admin]),
    );
    expect(group).toMatchObject({ region: 'edge', maxConnectors: 2 });
    expect(parseProvisioningKey(group.key)).toMatchObject({
      ok: true,
      key: { connectorName: 'demo', keyId: group.keyId, groupId: group.id },
    });
    const rotated = JSON.parse(await cli(['key', 'rotate', '--group', group.id, ...admin]));
    expect(rotated).toMatchObject({ revokedKeyId: group.keyId, maxUses: 2, uses: 0 });
    expect(parseProvisioningKey(rotated.key).ok).toBe(true);
    const key = JSON.parse(
      await cli(['key', 'create', '--group', group.id, '--max-uses', '1', ...admin]),
    );
    expect(parseProvisioningKey(key.key)).toMatchObject({ ok: true, key: { keyId: key.id } });

    const identity = newIdentity();
    const reg = await sseRequest(listening.sseUrl, ca, {
      path: SseRoutes.register,
      body: { provisioningKey: key.key, csr: identity.csr, hostname: 'cli-host' },
    });
    expect(reg.status).toBe(201);
    expect(
      reg.json().gateways.map((g: { host: string; protocol: string }) => `${g.host}/${g.protocol}`),
    ).toEqual(['127.0.0.1/udp', '::1/tcp']);
    const tls = { certPem: reg.json().certificate, keyPem: identity.privateKeyPem };
    const token = await sseRequest(listening.sseUrl, ca, {
      method: 'POST',
      path: SseRoutes.token,
      cert: tls,
    });
    expect(token.json().expiresIn).toBe(30);

    // Apps defined once, associated with groups; the operator's view of the group.
    const app = JSON.parse(
      await cli([
        'app',
        'create',
        '--name',
        'Wiki',
        '--host',
        'wiki.corp',
        '--port',
        '443',
        '--servers',
        '10.0.0.5:443,[fd00::5]:8443',
        '--health-check',
        'http:/health',
        '--groups',
        group.id,
        ...admin,
      ]),
    );
    expect(app).toMatchObject({
      groups: [group.id],
      app: {
        host: 'wiki.corp',
        servers: [
          { host: '10.0.0.5', port: 443 },
          { host: 'fd00::5', port: 8443 },
        ],
        healthCheck: { type: 'http', path: '/health', expectStatus: 200 },
        strategy: 'round-robin',
      },
    });
    expect(
      JSON.parse(await cli(['app', 'list', ...admin])).map((a: { id: string }) => a.id),
    ).toEqual([app.id]);
    const none = JSON.parse(
      await cli(['app', 'groups', '--app', app.id, '--groups', '', ...admin]),
    );
    expect(none.groups).toEqual([]);
    const table = await cli(['group', 'view', '--group', group.id, ...admin]);
    expect(table).toContain(`group demo (${group.id}), 1 of at most 2 connectors`);
    expect(table).toMatch(
      new RegExp(`${reg.json().connectorId} +cli-host +silent +0/0 fresh +0 +0 +0`),
    );
    expect(table).toContain('update slot: free');
    const json = JSON.parse(await cli(['group', 'view', '--group', group.id, '--json', ...admin]));
    expect(json.connectors[0]).toMatchObject({ id: reg.json().connectorId, state: 'silent' });
    expect(JSON.parse(await cli(['group', 'slot-free', '--group', group.id, ...admin]))).toEqual({
      freed: null,
    });
    expect(await cli(['app', 'delete', '--app', app.id, ...admin])).toBe('\n');
    await expect(
      run(process.execPath, [
        CLI,
        'app',
        'create',
        '--name',
        'x',
        '--host',
        'h',
        '--port',
        '1',
        '--servers',
        'nohost',
        ...admin,
      ]),
    ).rejects.toMatchObject({
      code: 64,
      stderr: expect.stringContaining('--servers takes host:port'),
    });

    // Without the admin token the CLI fails with a one-line reason.
    await expect(
      run(process.execPath, [CLI, 'group', 'list', '--admin-url', listening.adminUrl]),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^pa-emulator: GET \/admin\/groups: 401 .*\n$/),
    });

    if (!child.pid) throw new Error('no pid');
    process.kill(child.pid, 'SIGTERM');
    expect(await exited(child)).toBe(0);
    for (const k of [group.key, rotated.key, key.key]) {
      const parsed = parseProvisioningKey(k);
      expect(stderr()).not.toContain(parsed.ok ? parsed.key.secret : k);
    }
    expect(stderr()).not.toContain(token.json().accessToken);

    const again = await serve(args);
    const connectors = JSON.parse(
      await cli([
        'connector',
        'list',
        '--admin-url',
        again.listening.adminUrl,
        '--admin-token-file',
        tokenFile,
      ]),
    );
    expect(connectors.map((x: { id: string }) => x.id)).toEqual([reg.json().connectorId]);
    const catalog = await sseRequest(again.listening.sseUrl, ca, {
      path: SseRoutes.catalog,
      cert: tls,
      token: token.json().accessToken,
    });
    expect(catalog.status).toBe(200);
    if (!again.child.pid) throw new Error('no pid');
    process.kill(again.child.pid, 'SIGTERM');
    expect(await exited(again.child)).toBe(0);
  });

  it('exits 64 with a one-line reason on a bad command line', async () => {
    for (const args of [
      ['serve'],
      ['serve', '--data-dir', dataDir, '--port', 'http'],
      ['serve', '--data-dir', dataDir, '--region', 'x'],
      ['serve', '--data-dir', dataDir, '--endpoint', 'ingest=0'],
      ['serve', '--data-dir', dataDir, '--bundle', '/nonexistent.tar'],
      ['group', 'create'],
      ['frobnicate'],
    ]) {
      const failure = await run(process.execPath, [CLI, ...args]).then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure?.code).toBe(64);
      expect(failure?.stderr).toMatch(/^pa-emulator: /);
    }
  });

  it('serves each purpose on its own endpoint and says where in the listening line', async () => {
    const { child, listening } = await serve([
      '--data-dir',
      join(dataDir, 'endpoints'),
      '--port',
      '0',
      '--admin-port',
      '0',
      '--profile',
      'onprem',
      '--endpoint',
      'registration=127.0.0.1:0',
      '--endpoint',
      'tokens=0',
      '--endpoint',
      'collector=0',
      '--endpoint',
      'collector=0',
      '--region',
      'us-west=127.0.0.1/udp,127.0.0.2:443/tcp',
      '--pop-hostname',
      'us-west=us-west.pa-wgcs.cli.test',
    ]);
    const endpoints = listening.endpoints ?? {};
    expect(endpoints.collector).toHaveLength(2);
    expect(endpoints.catalog).toEqual([listening.sseUrl]);
    const table = (await (await fetch(`${listening.adminUrl}/admin/endpoints`)).json()) as {
      profile: string;
      endpoints: unknown;
      pops: Array<{ hostnames: string[]; gateways: Array<{ port: number }> }>;
    };
    expect(table.profile).toBe('onprem');
    expect(table.endpoints).toEqual(endpoints);
    expect(table.pops[0]?.hostnames).toEqual(['us-west.pa-wgcs.cli.test']);
    // A gateway without a port takes the profile's: 5660 on-premises.
    expect(table.pops[0]?.gateways.map((g) => g.port)).toEqual([5660, 443]);
    if (!child.pid) throw new Error('no pid');
    process.kill(child.pid, 'SIGTERM');
    expect(await exited(child)).toBe(0);
  });
});

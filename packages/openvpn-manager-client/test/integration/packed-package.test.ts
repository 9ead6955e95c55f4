import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startHeldClientOnSocket } from './helpers/openvpn';
import { stopAll } from './helpers/processes';

// npm pack (with its tsc -b), npm install and real processes take seconds each.
jest.setTimeout(120_000);

const pexec = promisify(execFile);
const PACKAGE_DIR = join(__dirname, '../..');
const NAME = '@pa-connector/openvpn-manager-client';

/** What a user of the package writes: CommonJS, driven by a JSON target in the environment. */
const CONSUMER_CJS = `
const { ManagementClient, ErrorCode, isManagementError } = require('@pa-connector/openvpn-manager-client');
(async () => {
  const target = JSON.parse(process.env.MGMT_TARGET);
  const client = new ManagementClient({ ...target, password: process.env.MGMT_PASSWORD });
  await client.connect();
  const version = await client.version();
  const pid = await client.pid();
  // A held or connecting client has no status yet: OpenVPN refuses it, which is an answer too.
  const status = await client.status().then((r) => ({ mode: r.mode,
    clients: r.clients.map((c) => c.commonName) }), (e) => ({ error: e.code }));
  let refused;
  try { await client.command('nonsense', 'success'); } catch (e) {
    refused = isManagementError(e, ErrorCode.ManagementError) ? e.code : 'unexpected ' + e;
  }
  await client.quit();
  console.log(JSON.stringify({ release: version.release, pid, status, refused }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** The same package from an ES module: named imports must be visible through Node's CJS interop. */
const CONSUMER_ESM = `
import * as pkg from '@pa-connector/openvpn-manager-client';
import { ManagementClient } from '@pa-connector/openvpn-manager-client';
// default and __esModule are Node's interop, not the package's.
const names = Object.keys(pkg).filter((k) => k !== 'default' && k !== '__esModule');
console.log(JSON.stringify({ exports: names.sort(),
  client: typeof ManagementClient }));
`;

/** A TypeScript user: the declarations must resolve and type the public API. */
const CONSUMER_TS = `
import { ManagementClient, type ManagementClientOptions, type StateEntry, isManagementError } from '@pa-connector/openvpn-manager-client';
const options: ManagementClientOptions = { path: '/run/openvpn/mgmt.sock', commandTimeoutMs: 5_000 };
const client = new ManagementClient(options);
client.on('state', (s: StateEntry) => s.state.toLowerCase());
export async function run(): Promise<number> {
  try { return await client.pid(); } catch (e) { return isManagementError(e, 'ERR_CLOSED') ? -1 : -2; }
}
`;

/**
 * A management interface on TCP with a password, speaking as OpenVPN 2.6 does: the prompt with no
 * line break, the greeting, one answer per command, `ERROR:` for an unknown one, hang-up on quit.
 */
function fakeOpenVpnServer(password: string): Promise<{ server: Server; port: number }> {
  const status3 = [
    'TITLE\tOpenVPN 2.6.14 x86_64-pc-linux-gnu',
    'TIME\t2026-11-23 11:28:20\t1795433300',
    'HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\tBytes Received\tBytes Sent\tConnected Since\tConnected Since (time_t)\tUsername\tClient ID\tPeer ID\tData Channel Cipher',
    'CLIENT_LIST\tcon_ab\t10.100.1.12:40000\t10.231.1.2\t\t3456\t7890\t2026-11-23 11:00:00\t1795431600\tUNDEF\t0\t0\tAES-256-GCM',
    'HEADER\tROUTING_TABLE\tVirtual Address\tCommon Name\tReal Address\tLast Ref\tLast Ref (time_t)',
    'GLOBAL_STATS\tMax bcast/mcast queue length\t0',
    'END',
  ];
  const answers: Record<string, string[]> = {
    version: [
      'OpenVPN Version: OpenVPN 2.6.14 x86_64-pc-linux-gnu',
      'Management Version: 5',
      'END',
    ],
    pid: ['SUCCESS: pid=4242'],
    'status 3': status3,
  };
  const serve = (socket: Socket) => {
    let authed = false;
    let buffer = '';
    socket.write('ENTER PASSWORD:');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (!authed) {
          if (line !== password) return socket.end('ENTER PASSWORD:');
          authed = true;
          socket.write(
            "SUCCESS: password is correct\r\n>INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n",
          );
        } else if (line === 'quit') {
          socket.end();
        } else {
          const reply = answers[line] ?? [
            `ERROR: unknown command [${line}], enter 'help' for more options`,
          ];
          socket.write(`${reply.join('\r\n')}\r\n`);
        }
      }
    });
    socket.on('error', () => socket.destroy());
  };
  return new Promise((resolve) => {
    const server = createServer(serve);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

/**
 * The package as a user gets it: `npm pack` (which builds it), then `npm install` of the tarball
 * into an empty project outside the workspace, offline (it has no dependencies).
 */
describe('the packed package in an empty project', () => {
  let dir: string;
  let project: string;
  let packed: { filename: string; files: { path: string }[] };
  const node = (script: string, env: Record<string, string> = {}) =>
    pexec(process.execPath, [script], {
      cwd: project,
      env: { PATH: process.env.PATH ?? '', ...env },
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pa-mgmt-pack-'));
    const npmEnv = { ...process.env, npm_config_cache: join(dir, 'npm-cache') };
    const { stdout } = await pexec('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: PACKAGE_DIR,
      env: npmEnv,
    });
    [packed] = JSON.parse(stdout);
    project = join(dir, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "private": true }\n');
    await pexec(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', join(dir, packed.filename)],
      { cwd: project, env: npmEnv },
    );
    writeFileSync(join(project, 'consumer.cjs'), CONSUMER_CJS);
    writeFileSync(join(project, 'consumer.mjs'), CONSUMER_ESM);
    writeFileSync(join(project, 'consumer.ts'), CONSUMER_TS);
  });

  afterAll(async () => {
    await stopAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the built code, its sources, README, LICENSE and CHANGELOG, and no tests', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'dist/index.js',
        'dist/index.d.ts',
        'src/index.ts',
      ]),
    );
    expect(
      paths.filter((p) => !/^(dist|src)\/|^[A-Z]+\.md$|^LICENSE$|^package\.json$/.test(p)),
    ).toEqual([]);
    expect(paths).not.toContain('dist/.tsbuildinfo');
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules', NAME, 'package.json'), 'utf8'),
    );
    expect(manifest.private).toBeUndefined();
    expect(manifest.engines.node).toBe('>=20');
    expect(manifest.license).toBe('Apache-2.0');
    expect(readFileSync(join(project, 'node_modules', NAME, 'LICENSE'), 'utf8')).toContain(
      'Apache License',
    );
  });

  it('works from CommonJS against a management interface on TCP with a password', async () => {
    const { server, port } = await fakeOpenVpnServer('s3cret pass');
    try {
      const { stdout } = await node('consumer.cjs', {
        MGMT_TARGET: JSON.stringify({ host: '127.0.0.1', port }),
        MGMT_PASSWORD: 's3cret pass',
      });
      expect(JSON.parse(stdout)).toEqual({
        release: '2.6.14',
        pid: 4242,
        status: { mode: 'server', clients: ['con_ab'] },
        refused: 'ERR_MGMT_ERROR',
      });
    } finally {
      server.close();
    }
  });

  it('works against a real openvpn on a unix socket', async () => {
    const { openvpn, socketPath } = await startHeldClientOnSocket(dir);
    const { stdout } = await node('consumer.cjs', {
      MGMT_TARGET: JSON.stringify({ path: socketPath }),
    });
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({
      pid: openvpn.pid,
      status: { error: 'ERR_MGMT_ERROR' },
      refused: 'ERR_MGMT_ERROR',
    });
    expect(out.release).toMatch(/^2\.\d+\.\d+/);
  });

  it('exports only the public API, also to ES modules', async () => {
    const { stdout } = await node('consumer.mjs');
    expect(JSON.parse(stdout)).toEqual({
      exports: ['ErrorCode', 'ManagementClient', 'ManagementError', 'isManagementError'],
      client: 'function',
    });
  });

  it('types a TypeScript user (node16 resolution, strict), and refuses a misuse', async () => {
    // A Node library's declarations use Node's types: a TypeScript user has @types/node.
    const nodeTypes = join(require.resolve('@types/node/package.json'), '..', '..');
    const tsc = (file: string) =>
      pexec(
        process.execPath,
        [
          require.resolve('typescript/bin/tsc'),
          // skipLibCheck: the declarations come from checked sources; re-checking them and all
          // of @types/node would only cost time. The consumer's use of them is checked in full.
          ...['--noEmit', '--skipLibCheck', '--strict', '--module', 'node16'],
          ...['--moduleResolution', 'node16'],
          ...['--target', 'es2022', '--typeRoots', nodeTypes, '--types', 'node', file],
        ],
        { cwd: project },
      );
    await expect(tsc('consumer.ts')).resolves.toBeDefined();
    writeFileSync(join(project, 'misuse.ts'), CONSUMER_TS.replace('client.pid()', 'client.pids()'));
    await expect(tsc('misuse.ts')).rejects.toMatchObject({
      stdout: expect.stringContaining("Property 'pids' does not exist on type 'ManagementClient'"),
    });
  });
});

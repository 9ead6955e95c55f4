import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildService,
  freePort,
  type ServiceProcess,
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { connectorReady } from '../../src/commands/connector-ready';
import { runInProcess } from '../support/run-in-process';

afterAll(stopAll);

interface JsonRow {
  destination: string;
  port: number | null;
  protocol: string;
  purpose: string;
  required: boolean;
  result: string;
  detail: string;
}

describe('diagnose with the gateways a real connector registered', () => {
  let dir: string;
  let emu: EmulatorHarness;
  let redis: TestRedis;
  let connector: ServiceProcess;
  let gateway: Server;
  let gatewayPort: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    buildService('connector');
    dir = mkdtempSync(join(tmpdir(), 'pa-diag-enrolled-'));
    gateway = createServer((s) => s.destroy());
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    gatewayPort = (gateway.address() as { port: number }).port;
    emu = await startEmulatorHarness({
      dataDir: join(dir, 'emu'),
      regions: [
        {
          name: 'lab',
          gateways: [
            {
              id: 'lab-gw1',
              name: 'lab-gw1',
              host: '127.0.0.1',
              port: gatewayPort,
              protocol: 'tcp',
            },
            { id: 'lab-gw2', name: 'lab-gw2', host: '127.0.0.1', port: 1194, protocol: 'udp' },
          ],
        },
      ],
    });
    const key = await emu.admin.provisioningKey('diagnose');
    const keyFile = join(dir, 'provisioning-key');
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    redis = await startRedis();
    const dataDir = join(dir, 'connector');
    connector = await startServiceProcess({
      service: 'connector',
      built: true,
      env: {
        PA_SSE_URLS: emu.sseUrl,
        PA_SSE_CA_FILE: emu.caCertPath,
        PA_PROVISIONING_KEY_FILE: keyFile,
        PA_DATA_DIR: dataDir,
        PA_REGION: 'lab',
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: redis.prefix,
        PA_HOSTNAME: 'diag-vm',
        PA_HEARTBEAT_INTERVAL: '500ms',
        // Nothing to tunnel to (the gateways are a bare listener and a closed UDP port).
        PA_TUNNELS: '0',
      },
    });
    await connector.waitForStatus('/ready', 200, 30_000);
    const localtime = join(dir, 'localtime');
    writeFileSync(localtime, Buffer.from('TZif2\0\0\nUTC0\n'));
    env = {
      PA_SSE_URLS: emu.sseUrl,
      PA_SSE_CA_FILE: emu.caCertPath,
      PA_DATA_DIR: dataDir,
      PA_REGION: 'lab',
      PA_DIAG_LOCALTIME: localtime,
      PA_DIAG_RESOLV_CONF: join(dir, 'no-resolv.conf'),
      PA_POP_MANAGER_URL: `http://127.0.0.1:${await freePort()}`,
    };
  }, 180_000);

  afterAll(async () => {
    await connector?.stop();
    await redis?.stop();
    await emu?.stop();
    await new Promise((r) => gateway?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists and checks the registered gateways: the TCP one answers, the UDP one is listed only', async () => {
    const r = await runInProcess(['diagnose', '--json'], env);
    const report = JSON.parse(r.stdout) as { ok: boolean; gatewaysSource: string; rows: JsonRow[] };
    expect(report.gatewaysSource).toMatch(/^registered gateways in .*identity\.json$/);
    const gateways = report.rows.filter((x) => x.protocol.endsWith('/openvpn'));
    expect(gateways).toEqual([
      expect.objectContaining({
        destination: '127.0.0.1',
        port: gatewayPort,
        protocol: 'tcp/openvpn',
        purpose: 'tunnel to gateway lab-gw1',
        required: true,
        result: 'warn',
        detail: expect.stringMatching(/^the saas profile expects gateways on port 443; tcp /),
      }),
      expect.objectContaining({
        port: 1194,
        protocol: 'udp/openvpn',
        purpose: 'tunnel to gateway lab-gw2',
        required: false,
        result: 'warn',
      }),
    ]);
    expect(report.ok).toBe(true);
    expect(r.code).toBe(0);
  });

  it('a registered TCP gateway that does not answer fails the diagnosis', async () => {
    await new Promise((r) => gateway.close(r));
    const r = await runInProcess(['diagnose'], env);
    expect(r.stdout).toMatch(
      new RegExp(
        `127\\.0\\.0\\.1\\s+${gatewayPort}\\s+tcp/openvpn\\s+tunnel to gateway lab-gw1\\s+yes\\s+FAIL\\s+tcp: 127\\.0\\.0\\.1:${gatewayPort} connection refused`,
      ),
    );
    expect(r.code).toBe(1);
  });

  it("status's connector line reads the real /ready: ready, then the failing check when Redis stops", async () => {
    const ctx = {
      env: { PA_CONNECTOR_URL: connector.url },
      out: () => undefined,
      err: () => undefined,
      now: () => new Date(),
      signal: new AbortController().signal,
      sleep: async () => undefined,
      readFile: async () => '',
    };
    expect((await connectorReady(ctx)).line).toBe('ready');
    await redis.stop();
    const line = await waitFor('the connector not ready', async () => {
      const l = (await connectorReady(ctx)).line;
      return l === 'ready' ? undefined : l;
    });
    expect(line).toMatch(/^not ready: \S*redis/);
  });
});

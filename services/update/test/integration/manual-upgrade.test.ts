import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisKeys } from '@pa-connector/redis-contracts';
import { InternalApiRoutes } from '@pa-connector/sse-api';
import {
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import Redis from 'ioredis';

afterAll(stopAll);

/**
 * Four-part versions from the cloud to the operator: the emulator publishes a release whose
 * minimum for automatic upgrade is its default (v1.0.0.3), the built update service of a POP at
 * v1.0.0.2 refuses to upgrade itself, and pop-manager relays why, for `pa_connector.sh version`.
 * The connector's part (passing the manifest through its internal API) has its own tests; here
 * a stand-in answers its release route with what the emulator publishes.
 */
describe('a POP below the minimum version for automatic upgrade', () => {
  let emu: EmulatorHarness;
  let redis: TestRedis;
  let connector: Server;
  let connectorUrl: string;
  let dir: string;

  beforeAll(async () => {
    emu = await startEmulatorHarness();
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'pa-manual-upgrade-'));
    writeFileSync(join(dir, 'api-token'), 'internal-token\n', { mode: 0o600 });
    connector = createServer((req, res) => {
      if (req.url !== InternalApiRoutes.release) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'not_found', message: `no ${req.url}` }));
        return;
      }
      fetch(`${emu.emu.adminUrl}/admin/release`).then(
        async (r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' });
          res.end(await r.text());
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
    await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
    connectorUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => connector?.close(r));
    await redis?.stop();
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The built update service of a POP at `version`, asked for a check once Redis is up. */
  const checkAt = async (version: string, prefix: string) => {
    const svc = await startServiceProcess({
      service: 'update',
      env: {
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: prefix,
        PA_HOSTNAME: 'vm-manual',
        PA_CONNECTOR_URL: connectorUrl,
        PA_INTERNAL_API_TOKEN_FILE: join(dir, 'api-token'),
        PA_VERSION: version,
        // Only the check asked for below.
        PA_UPDATE_INITIAL_DELAY: '1h',
        PA_DOCKER_SOCKET: join(dir, 'no-docker.sock'),
      },
    });
    await svc.waitForStatus('/ready', 200);
    // Answered at once (202); the outcome is the status the check writes to Redis.
    expect((await fetch(`${svc.url}/update/check`, { method: 'POST' })).status).toBe(202);
    const client = new Redis(redis.url);
    try {
      return await waitFor(
        'the outcome of the check',
        async () => {
          const h = await client.hgetall(new RedisKeys(prefix).updateStatus());
          return h.state && h.state !== 'checking' ? h : undefined;
        },
        30_000,
      );
    } finally {
      client.disconnect();
    }
  };

  it('is told by the update service to upgrade by hand, and pop-manager relays it', async () => {
    // No minimum named: the emulator's default applies.
    await emu.admin.setRelease({ version: 'v1.0.0.4', images: {} });
    const status = await checkAt('v1.0.0.2', redis.prefix);
    expect(status.message).toMatch(
      /this POP runs v1\.0\.0\.2; release v1\.0\.0\.4 upgrades automatically only from v1\.0\.0\.3 on/,
    );
    expect(status).toMatchObject({
      state: 'manual-upgrade-required',
      running: 'v1.0.0.2',
      available: 'v1.0.0.4',
      minAutoUpgradeVersion: 'v1.0.0.3',
    });
    const pm = await startServiceProcess({
      service: 'pop-manager',
      env: {
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: redis.prefix,
        PA_HOSTNAME: 'vm-manual',
        PA_CONNECTOR_URL: connectorUrl,
        PA_INTERNAL_API_TOKEN_FILE: join(dir, 'api-token'),
      },
    });
    const relayed = await waitFor(
      "pop-manager's status with the update",
      async () => {
        const body = (await pm.get('/status')).json<{ update?: Record<string, string> }>();
        return body.update?.state === 'manual-upgrade-required' ? body.update : undefined;
      },
      30_000,
    );
    expect(relayed).toMatchObject({
      running: 'v1.0.0.2',
      available: 'v1.0.0.4',
      minAutoUpgradeVersion: 'v1.0.0.3',
    });
  }, 120_000);

  it('a POP at the minimum, v1.0.0.3, is not refused: it goes on to look for its containers', async () => {
    await emu.admin.setRelease({ version: 'v1.0.0.4', images: {} });
    const status = await checkAt('v1.0.0.3', `${redis.prefix}at-min:`);
    // Past the version check it looks for its compose project: there is none here.
    expect(status.message).not.toMatch(/manual upgrade/);
    expect(status).toMatchObject({
      state: 'failed',
      running: 'v1.0.0.3',
      minAutoUpgradeVersion: 'v1.0.0.3',
    });
  }, 120_000);
});

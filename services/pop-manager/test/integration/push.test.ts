import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisKeys } from '@pa-connector/redis-contracts';
import type { PopStatusReport } from '@pa-connector/sse-api';
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
import Redis from 'ioredis';
import type { PopManagerStatus } from '../../src/status/pop-status';

afterAll(stopAll);

const HOSTNAME = 'pop-vm-push';

interface ReceivedStatus {
  receivedAt: string;
  body: PopStatusReport;
}

/** Counts of pa_pop_manager_status_pushes_total by result, from /metrics. */
function pushCounts(metrics: string): { ok: number; failed: number } {
  const n = (result: string) =>
    Number(
      new RegExp(`^pa_pop_manager_status_pushes_total\\{result="${result}"\\} (\\d+)`, 'm').exec(
        metrics,
      )?.[1] ?? Number.NaN,
    );
  return { ok: n('ok'), failed: n('failed') };
}

describe('POP status reaches the SSE through a real connector, and survives outages', () => {
  let redis: TestRedis;
  let client: Redis;
  let emu: EmulatorHarness;
  let dir: string;
  let connectorEnv: Record<string, string>;
  let connector: ServiceProcess;
  let pm: ServiceProcess;
  let connectorId: string;

  beforeAll(async () => {
    buildService('pop-manager');
    buildService('connector');
    redis = await startRedis();
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    emu = await startEmulatorHarness();
    dir = mkdtempSync(join(tmpdir(), 'pa-pm-push-'));
    const file = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text, { mode: 0o600 });
      return p;
    };
    const tokenFile = file('internal-api-token', 'internal-api-secret-1\n');
    connectorEnv = {
      PA_SSE_URLS: emu.sseUrl,
      PA_SSE_CA_FILE: emu.caCertPath,
      PA_PROVISIONING_KEY_FILE: file(
        'provisioning-key',
        `${await emu.admin.provisioningKey('pop-manager-test')}\n`,
      ),
      PA_DATA_DIR: join(dir, 'connector'),
      PA_REDIS_URL: redis.url,
      PA_REDIS_PREFIX: redis.prefix,
      PA_HTTP_PORT: String(await freePort()),
      PA_HOSTNAME: HOSTNAME,
      PA_INTERNAL_API_TOKEN_FILE: tokenFile,
      PA_INTERNAL_API_ATTEMPTS: '2',
      PA_RETRY_INITIAL_DELAY: '100ms',
      PA_RETRY_MAX_DELAY: '500ms',
      PA_SSE_TIMEOUT: '3s',
      PA_HEARTBEAT_INTERVAL: '500ms',
      // No tunnels here: this test is about the internal API only.
      PA_TUNNELS: '0',
    };
    connector = await startServiceProcess({ service: 'connector', built: true, env: connectorEnv });
    await connector.waitForStatus('/ready', 200, 30_000);
    connectorId = await waitFor(
      'the connector enrolled',
      async () => (await emu.admin.connectorIds())[0],
    );
    pm = await startServiceProcess({
      service: 'pop-manager',
      built: true,
      env: {
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: redis.prefix,
        PA_HEARTBEAT_INTERVAL: '500ms',
        PA_HOSTNAME: HOSTNAME,
        PA_CONNECTOR_URL: connector.url,
        PA_INTERNAL_API_TOKEN_FILE: tokenFile,
        PA_POP_STATUS_INTERVAL: '400ms',
        PA_POP_PUSH_RETRY_INITIAL_DELAY: '100ms',
        PA_POP_PUSH_RETRY_MAX_DELAY: '400ms',
      },
    });
  }, 240_000);
  afterAll(async () => {
    await pm?.stop();
    await connector?.stop();
    await emu?.stop();
    client?.disconnect();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const status = async () => (await pm.get('/status')).json<PopManagerStatus>();
  /** The POP statuses the SSE received from that connector, oldest first (last 20). */
  const received = async (): Promise<ReceivedStatus[]> =>
    (await emu.admin.connector(connectorId)).popStatusHistory;
  const newestReceived = async () => (await received()).at(-1);
  const reportedAt = (r: ReceivedStatus | undefined) => Date.parse(r?.body.reportedAt ?? '0');

  it('delivers the POP status (hostname, services, host, no push state) to the SSE', async () => {
    const got = await waitFor(
      'a POP status at the SSE',
      async () => {
        const r = await newestReceived();
        return (r?.body as Partial<PopManagerStatus> | undefined)?.services?.find(
          (s) => s.name === 'connector' && s.status === 'up',
        )
          ? r
          : undefined;
      },
      20_000,
    );
    const body = got.body as unknown as PopManagerStatus;
    expect(body.hostname).toBe(HOSTNAME);
    expect(body.services.map((s) => [s.name, s.status])).toEqual([
      ['logging', 'down'],
      ['connector', 'up'],
      ['update', 'down'],
      ['pop-manager', 'up'],
    ]);
    expect(body.host.memory?.totalBytes).toBeGreaterThan(0);
    expect(body).not.toHaveProperty('push');
    // The connector's 202 reaches pop-manager a moment after the SSE recorded the status.
    const s = await waitFor('pop-manager saw the push accepted', async () => {
      const st = await status();
      return st.push.lastSuccessAt ? st : undefined;
    });
    expect(s.push.lastError).toBeNull();
    expect(Date.parse(s.push.lastSuccessAt ?? '')).toBeGreaterThan(0);
    const metrics = (await pm.get('/metrics')).body;
    expect(pushCounts(metrics).ok).toBeGreaterThan(0);
    expect(metrics).toMatch(/^pa_pop_manager_status_push_last_success_timestamp_seconds 1\d{9}/m);
  });

  it('SSE down: pushes fail and are retried; when it returns the newest status is delivered, the older unsent ones are not replayed', async () => {
    const keys = new RedisKeys(redis.prefix);
    const sub = new Redis(redis.url, { lazyConnect: true });
    await sub.connect();
    let made = 0;
    sub.on('message', () => made++);
    await sub.subscribe(keys.channel('pop-status'));
    await emu.admin.fault('popStatus', { mode: 'down' });
    const faultAt = Date.now();
    let during: PopManagerStatus;
    let clearedAt: number;
    let newestAtClear: number;
    let madeDuring: number;
    let before: Awaited<ReturnType<typeof newestReceived>>;
    try {
      during = await waitFor(
        'pop-manager sees the SSE down',
        async () => {
          const s = await status();
          return s.push.lastError?.code === 'sse_unavailable' && s.push.pending ? s : undefined;
        },
        20_000,
      );
      // The newest status the SSE took: read once a push has failed, as a push already in flight
      // when the fault was set may still have been taken just after it.
      before = await newestReceived();
      // Let several statuses be made (and fail) while the SSE is down.
      made = 0;
      await waitFor('five statuses made during the outage', () => made >= 5, 20_000);
      expect(reportedAt(await newestReceived())).toBe(reportedAt(before));
      const stored = JSON.parse((await client.get(keys.popStatus())) as string);
      newestAtClear = Date.parse(stored.reportedAt);
      madeDuring = made;
    } finally {
      await emu.admin.clearFaults();
      clearedAt = Date.now();
      sub.disconnect();
    }
    expect(during.push.lastError?.message).toMatch(/^the connector answered 502 sse_unavailable/);
    const failed = pushCounts((await pm.get('/metrics')).body).failed;
    const delivered = await waitFor(
      'the newest status delivered after the SSE returned',
      async () => {
        const r = await newestReceived();
        return reportedAt(r) >= newestAtClear ? r : undefined;
      },
      20_000,
      20,
    );
    const recoveredMs = Date.now() - clearedAt;
    console.log(
      `SSE down for ${clearedAt - faultAt} ms: ${madeDuring} statuses made, ${failed} failed pushes in all; the newest delivered ${recoveredMs} ms after it returned`,
    );
    // No backlog replayed: besides the newest, at most the one push in flight when the SSE came
    // back (the connector retries it) may carry an older status from the outage.
    const sinceOutage = (await received()).filter(
      (r) => reportedAt(r) > reportedAt(before) && reportedAt(r) <= reportedAt(delivered),
    );
    expect(sinceOutage.length).toBeLessThanOrEqual(2);
    expect(madeDuring).toBeGreaterThanOrEqual(5);
    const s = await waitFor('push state recovered', async () => {
      const st = await status();
      return st.push.lastError === null ? st : undefined;
    });
    expect(Date.parse(s.push.lastSuccessAt ?? '')).toBeGreaterThanOrEqual(clearedAt - 1_000);
  });

  it('connector down: connector_unreachable, and the newest status is delivered when it is back', async () => {
    expect(await connector.stop()).toBe(0);
    const stoppedAt = Date.now();
    const s = await waitFor(
      'pop-manager sees the connector gone',
      async () => {
        const st = await status();
        return st.push.lastError?.code === 'connector_unreachable' ? st : undefined;
      },
      20_000,
    );
    expect(s.push.pending).toBe(true);
    const lastBefore = await newestReceived();
    // Same port and data directory: the connector is enrolled already and comes back as it was.
    connector = await startServiceProcess({ service: 'connector', built: true, env: connectorEnv });
    const restartedAt = Date.now();
    const delivered = await waitFor(
      'a status delivered after the connector returned',
      async () => {
        const r = await newestReceived();
        return reportedAt(r) > reportedAt(lastBefore) ? r : undefined;
      },
      30_000,
      20,
    );
    console.log(
      `connector down for ${restartedAt - stoppedAt} ms; status delivered ${Date.now() - restartedAt} ms after it was started again`,
    );
    expect(reportedAt(delivered)).toBeGreaterThanOrEqual(stoppedAt);
  });
});

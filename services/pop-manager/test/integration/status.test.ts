import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceHealth } from '@pa-connector/redis-contracts';
import { decodeChange, RedisKeys } from '@pa-connector/redis-contracts';
import {
  buildService,
  runServiceToExit,
  type ServiceProcess,
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import Redis from 'ioredis';
import type { PopManagerStatus } from '../../src/status/pop-status';
import { APP_HEALTH, logLine, TUNNELS, writeConnectorState } from '../support/pop-state';

afterAll(stopAll);

describe('the built pop-manager: POP status from real Redis and real services', () => {
  let redis: TestRedis;
  let client: Redis;
  let keys: RedisKeys;
  let pm: ServiceProcess;
  let logDir: string;

  beforeAll(async () => {
    buildService('pop-manager');
    buildService('logging');
    redis = await startRedis();
    keys = new RedisKeys(redis.prefix);
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    logDir = mkdtempSync(join(tmpdir(), 'pa-pm-logs-'));
    pm = await startServiceProcess({
      service: 'pop-manager',
      built: true,
      env: {
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: redis.prefix,
        PA_HEARTBEAT_INTERVAL: '300ms',
        PA_HOSTNAME: 'pop-vm-status',
        PA_POP_STATUS_INTERVAL: '300ms',
        // Nothing listens there: pushes fail, which this file does not look at.
        PA_CONNECTOR_URL: 'http://127.0.0.1:9',
        PA_POP_PUSH_RETRY_INITIAL_DELAY: '1s',
      },
    });
  }, 180_000);
  afterAll(async () => {
    await pm?.stop();
    client?.disconnect();
    await redis?.stop();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  const status = async () => (await pm.get('/status')).json<PopManagerStatus>();
  const service = (s: PopManagerStatus, name: string) =>
    s.services.find((x) => x.name === name) as ServiceHealth;

  /** Starts the real logging service (it beats every `interval`) against the same Redis. */
  const startLogging = (interval: string) =>
    startServiceProcess({
      service: 'logging',
      built: true,
      env: {
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: redis.prefix,
        PA_HEARTBEAT_INTERVAL: interval,
        PA_HOSTNAME: 'pop-vm-status',
        PA_LOG_DIR: logDir,
      },
    });

  it('reports the hostname, its version, its own heartbeat and down for services never started', async () => {
    const s = await waitFor('pop-manager up in its own status', async () => {
      const st = await status();
      return service(st, 'pop-manager').status === 'up' ? st : undefined;
    });
    expect(s.hostname).toBe('pop-vm-status');
    expect(s.services.map((x) => x.name)).toEqual([
      'logging',
      'connector',
      'update',
      'pop-manager',
    ]);
    expect(service(s, 'pop-manager')).toMatchObject({
      status: 'up',
      state: 'ready',
      version: s.version,
      pid: pm.process.pid,
    });
    // Read from the heartbeat's TTL (three intervals), within a few milliseconds.
    expect(service(s, 'pop-manager').intervalMs).toBeGreaterThanOrEqual(290);
    expect(service(s, 'pop-manager').intervalMs).toBeLessThanOrEqual(330);
    expect(service(s, 'update')).toMatchObject({ status: 'down' });
    expect(s.host.memory?.totalBytes).toBeGreaterThan(0);
    expect(s.host.disk?.path).toBe('/');
    expect(s.collectErrors).toEqual([]);
  });

  it('marks a SIGKILLed service stale within its heartbeat TTL, then down when the heartbeat expires', async () => {
    const logging = await startLogging('1s');
    try {
      const up = await waitFor(
        'logging up and ready',
        async () => {
          const x = service(await status(), 'logging');
          return x.status === 'up' && x.state === 'ready' ? x : undefined;
        },
        15_000,
      );
      expect(up).toMatchObject({ pid: logging.process.pid, intervalMs: 1_000 });
      const killedAt = Date.now();
      logging.process.child.kill('SIGKILL');
      await logging.process.exited;
      const stale = await waitFor(
        'logging stale',
        async () => {
          const x = service(await status(), 'logging');
          return x.status !== 'up' ? x : undefined;
        },
        10_000,
        20,
      );
      const staleAfterMs = Date.now() - killedAt;
      // Seen stale (not already down) means it happened while the heartbeat still existed.
      expect(stale.status).toBe('stale');
      expect(stale.reason).toMatch(/^no heartbeat for [\d.]+s \(it beats every 1s\)$/);
      const down = await waitFor(
        'logging down',
        async () => {
          const x = service(await status(), 'logging');
          return x.status === 'down' ? x : undefined;
        },
        10_000,
        20,
      );
      const downAfterMs = Date.now() - killedAt;
      console.log(
        `SIGKILLed service (beat every 1 s, TTL 3 s): stale after ${staleAfterMs} ms, down after ${downAfterMs} ms`,
      );
      expect(staleAfterMs).toBeLessThan(3_000);
      expect(down.reason).toMatch(/^no heartbeat/);
    } finally {
      await logging.stop();
    }
  });

  it('marks a service stopped with SIGTERM stale at once (its last beat says stopping)', async () => {
    const logging = await startLogging('5s');
    try {
      await waitFor('logging up', async () => service(await status(), 'logging').status === 'up');
      const stoppedAt = Date.now();
      expect(await logging.stop()).toBe(0);
      const stale = await waitFor('logging stale', async () => {
        const x = service(await status(), 'logging');
        return x.status === 'stale' ? x : undefined;
      });
      console.log(`SIGTERMed service (beat every 5 s): stale after ${Date.now() - stoppedAt} ms`);
      expect(stale).toMatchObject({ state: 'stopping', reason: 'it said it is stopping' });
    } finally {
      await logging.stop();
    }
  });

  it('shows tunnels, apps joined with the catalog, and new error lines from the log stream', async () => {
    await writeConnectorState(client, keys);
    await logLine(client, keys, 'connector', {
      level: 'info',
      time: '2030-01-01T00:00:00.000Z',
      msg: 'not an error',
    });
    const id = await logLine(client, keys, 'connector', {
      level: 'error',
      time: '2030-01-01T00:00:01.000Z',
      component: 'catalog',
      code: 'sse_unavailable',
      err: { message: 'connect ECONNREFUSED 127.0.0.1:8443' },
      msg: 'catalog sync failed',
    });
    const s = await waitFor('tunnels, apps and an error', async () => {
      const st = await status();
      return st.tunnels.length && st.recentErrors.some((e) => e.logId === id) ? st : undefined;
    });
    expect(s.tunnels).toEqual(TUNNELS);
    expect(s.apps).toEqual([
      {
        appId: 'wiki',
        name: 'Team wiki',
        host: 'wiki.corp.example',
        port: 443,
        status: 'unhealthy',
        since: APP_HEALTH[0]?.since,
        servers: APP_HEALTH[0]?.servers,
      },
      {
        appId: 'git',
        name: 'Git',
        host: 'git.corp.example',
        port: 22,
        status: 'down',
        since: APP_HEALTH[1]?.since,
        servers: APP_HEALTH[1]?.servers,
      },
    ]);
    expect(s.recentErrors.filter((e) => e.service === 'connector')).toEqual([
      {
        logId: id,
        time: '2030-01-01T00:00:01.000Z',
        service: 'connector',
        level: 'error',
        msg: 'catalog sync failed',
        component: 'catalog',
        code: 'sse_unavailable',
        error: 'connect ECONNREFUSED 127.0.0.1:8443',
      },
    ]);
  });

  it('stores each status under popStatus and announces it on the pop-status channel', async () => {
    const sub = new Redis(redis.url, { lazyConnect: true });
    await sub.connect();
    try {
      const got = new Promise<string>((resolve) => sub.on('message', (_ch, m) => resolve(m)));
      await sub.subscribe(keys.channel('pop-status'));
      const message = decodeChange(await got);
      expect(message).toMatchObject({ topic: 'pop-status' });
      const stored = JSON.parse((await client.get(keys.popStatus())) as string) as PopManagerStatus;
      expect(stored).toMatchObject({ hostname: 'pop-vm-status', tunnels: TUNNELS });
      expect(stored.push.lastError?.code).toBe('connector_unreachable');
      expect(Date.parse(stored.reportedAt)).toBeGreaterThanOrEqual(
        Date.parse(message?.at as string) - 1_000,
      );
    } finally {
      sub.disconnect();
    }
  });

  it('refuses at boot a hostname of 64 characters or more, naming PA_HOSTNAME (exit 78)', async () => {
    const long = `pop-${'x'.repeat(60)}`;
    const { code, lines } = await runServiceToExit('pop-manager', {
      PA_REDIS_URL: redis.url,
      PA_HOSTNAME: long,
    });
    expect(code).toBe(78);
    expect(lines).toEqual([
      `pop-manager: PA_HOSTNAME: "${long}" is 64 characters; the cloud needs fewer than 64 (set PA_HOSTNAME to a shorter name)`,
    ]);
  });
});

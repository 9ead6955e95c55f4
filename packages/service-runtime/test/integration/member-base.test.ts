import { Writable } from 'node:stream';
import { decodeLogStreamEntry, logShippingSettings } from '@pa-connector/logger';
import { decodeHeartbeat } from '@pa-connector/redis-contracts';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import Redis from 'ioredis';
import { commonSettings } from '../../src/common-settings';
import { loadServiceConfig } from '../../src/load-service-config';
import { startMemberBase } from '../../src/member-base';
import { redisReadiness } from '../../src/readiness';
import { createServiceServer } from '../../src/service-server';

afterAll(stopAll);

const SECRET = 'token-that-must-not-be-printed';

function config(redis: TestRedis, env: Record<string, string> = {}) {
  return loadServiceConfig(
    { ...commonSettings('update'), ...logShippingSettings() },
    {
      PA_REDIS_URL: redis.url,
      PA_REDIS_PREFIX: redis.prefix,
      PA_HTTP_HOST: '127.0.0.1',
      PA_HTTP_PORT: '0',
      PA_HOSTNAME: 'vm-1',
      PA_HEARTBEAT_INTERVAL: '200ms',
      ...env,
    },
  );
}

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) {
        if (!l) continue;
        raw.push(l);
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { lines, raw, destination };
}

describe('startMemberBase against a real Redis', () => {
  let redis: TestRedis;
  let reader: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    reader = new Redis(redis.url);
  });
  afterAll(async () => {
    reader.disconnect();
    await redis.stop();
  });

  it('scrubs registered secrets, listens on the bound port, beats with the status it is given, ships its lines', async () => {
    const out = capture();
    const base = startMemberBase('update', config(redis), {
      secrets: (values) => values.add(SECRET),
      destination: out.destination,
    });
    const checks = [redisReadiness(base.redis)];
    const app = await createServiceServer({
      service: 'update',
      version: '1',
      registry: base.registry,
      checks,
    });
    let status: 'starting' | 'ready' = 'starting';
    const { heartbeat, address } = await base.listen(app, {
      checks,
      fields: { extra: 'x' },
      heartbeatStatus: () => status,
    });
    expect(address.host).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
    expect(out.lines).toContainEqual(
      expect.objectContaining({
        msg: 'listening',
        host: '127.0.0.1',
        port: address.port,
        extra: 'x',
      }),
    );
    const res = await fetch(`http://127.0.0.1:${address.port}/healthz`);
    expect(res.status).toBe(200);

    const beat = () =>
      reader.hgetall(base.keys.heartbeat('update')).then((h) => decodeHeartbeat(h)?.status);
    await waitFor('a starting beat', async () => (await beat()) === 'starting');
    status = 'ready';
    await waitFor('a ready beat', async () => (await beat()) === 'ready');

    base.logger.info({ note: `the token is ${SECRET}` }, 'said a secret');
    expect(out.raw.join('\n')).not.toContain(SECRET);
    const shipped = await waitFor('the line in the log stream', async () => {
      const entries = await reader.xrange(base.keys.logs(), '-', '+');
      return entries
        .map(([id, fields]) => decodeLogStreamEntry(id, fields)?.line ?? '')
        .find((line) => line.includes('said a secret'));
    });
    expect(shipped).not.toContain(SECRET);

    await heartbeat.stop();
    expect(await beat()).toBe('stopping');
    await app.close();
    await base.shutdown();
    await waitFor('Redis closed', () => base.redis.status === 'end');
  });

  it('closes the server and Redis when it cannot listen, and says why', async () => {
    const first = startMemberBase('update', config(redis, { PA_LOG_TO_REDIS: 'false' }), {
      destination: capture().destination,
    });
    const taken = await createServiceServer({
      service: 'update',
      version: '1',
      registry: first.registry,
      checks: [],
    });
    const { heartbeat, address } = await first.listen(taken, { checks: [] });

    const second = startMemberBase(
      'update',
      config(redis, { PA_LOG_TO_REDIS: 'false', PA_HTTP_PORT: String(address.port) }),
      { destination: capture().destination },
    );
    const app = await createServiceServer({
      service: 'update',
      version: '1',
      registry: second.registry,
      checks: [],
    });
    let closed = false;
    app.addHook('onClose', async () => {
      closed = true;
    });
    await expect(second.listen(app, { checks: [] })).rejects.toThrow(/EADDRINUSE/);
    expect(closed).toBe(true);
    await waitFor('Redis closed', () => second.redis.status === 'end');

    await heartbeat.stop();
    await taken.close();
    await first.shutdown();
  });
});

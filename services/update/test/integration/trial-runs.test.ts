import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProvisioningKey } from '@pa-connector/sse-api';
import {
  buildService,
  runServiceToExit,
  type ServiceProcess,
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
} from '@pa-connector/test-support';
import Redis from 'ioredis';

const TRIAL_KEY = formatProvisioningKey({
  connectorName: 'trial',
  customerId: 'cus_1',
  keyId: '00000000000000aa',
  secret: 'T'.repeat(43),
});

afterAll(stopAll);

/**
 * The update service tries a new image before it replaces a running container: the image's
 * service started with PA_TRIAL_RUN=true beside the running one. These are the four built
 * services in that mode: ready when their configuration and dependencies are, and doing no work
 * (nothing written to Redis, nothing enrolled, no file changed).
 */
describe('the trial run of each built service (PA_TRIAL_RUN=true)', () => {
  let redis: TestRedis;
  let client: Redis;
  let dir: string;

  beforeAll(async () => {
    for (const s of ['connector', 'logging', 'pop-manager', 'update']) buildService(s);
    redis = await startRedis();
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    dir = mkdtempSync(join(tmpdir(), 'pa-trial-'));
  }, 240_000);
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const trial = async (service: string, env: Record<string, string>) => {
    const svc = await startServiceProcess({
      service,
      built: true,
      env: {
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: `${redis.prefix}${service}:`,
        PA_HOSTNAME: 'vm-trial',
        PA_TRIAL_RUN: 'true',
        ...env,
      },
    });
    return svc;
  };
  /** Every key under the service's prefix: a trial run writes none. */
  const keysOf = (service: string) => client.keys(`${redis.prefix}${service}:*`);
  const stop = async (svc: ServiceProcess) => {
    const code = await svc.stop();
    expect(code).toBe(0);
    expect(svc.process.lines.join('\n')).toMatch(/trial run: configuration read/);
  };

  it('pop-manager: ready with Redis; pushes nothing, writes no heartbeat or status', async () => {
    const svc = await trial('pop-manager', {
      // Nothing listens there: a real pop-manager would log failed pushes.
      PA_CONNECTOR_URL: 'http://127.0.0.1:9',
      PA_POP_STATUS_INTERVAL: '200ms',
    });
    const ready = await svc.waitForStatus('/ready', 200);
    expect(ready.json()).toEqual({
      service: 'pop-manager',
      ready: true,
      checks: { redis: expect.objectContaining({ ok: true }) },
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await keysOf('pop-manager')).toEqual([]);
    expect(svc.process.lines.join('\n')).not.toMatch(/push/i);
    await stop(svc);
  });

  it('logging: ready when its directory is writable; consumes nothing from the log stream', async () => {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const prefix = `${redis.prefix}logging:`;
    // A line waiting in the stream: the real service would create its group and write it.
    await client.xadd(`${prefix}logs`, '*', 'entry', JSON.stringify({ service: 'x', msg: 'hi' }));
    const svc = await trial('logging', { PA_LOG_DIR: logs });
    const ready = await svc.waitForStatus('/ready', 200);
    expect(ready.json()).toMatchObject({ ready: true, checks: { logDir: { ok: true } } });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await client.xinfo('GROUPS', `${prefix}logs`)).toEqual([]);
    expect(await keysOf('logging')).toEqual([`${prefix}logs`]);
    await stop(svc);
  });

  it('logging: not ready, saying why, when its directory cannot be written', async () => {
    const svc = await trial('logging', { PA_LOG_DIR: '/dev/null/logs' });
    const answer = await svc.waitForStatus('/ready', 503);
    expect(answer.json()).toMatchObject({
      ready: false,
      checks: {
        logDir: { ok: false, detail: expect.stringMatching(/^\/dev\/null\/logs: ENOTDIR/) },
      },
    });
    await stop(svc);
  });

  const connectorEnv = (data: string) => ({
    PA_SSE_URLS: 'https://127.0.0.1:9',
    PA_PROVISIONING_KEY_FILE: file('provisioning-key', `${TRIAL_KEY}\n`),
    PA_INTERNAL_API_TOKEN_FILE: file('token', 'trial-token-secret\n'),
    PA_DATA_DIR: data,
  });

  it('connector: enrolls nothing and creates nothing in a data directory it does not find', async () => {
    const data = join(dir, 'connector-new');
    const svc = await trial('connector', connectorEnv(data));
    const ready = await svc.waitForStatus('/ready', 200);
    expect(ready.json()).toMatchObject({
      ready: true,
      checks: { identity: { ok: true, detail: 'not enrolled yet' } },
    });
    expect(existsSync(data)).toBe(false);
    expect(await keysOf('connector')).toEqual([]);
    await stop(svc);
    const out = svc.process.lines.join('\n');
    expect(out).not.toMatch(/enrolling/);
    expect(out).not.toContain(TRIAL_KEY);
    expect(out).not.toContain('trial-token-secret');
  });

  it('connector: not ready when the stored identity is broken', async () => {
    const data = join(dir, 'connector-broken');
    mkdirSync(join(data, 'identity-1'), { recursive: true, mode: 0o700 });
    writeFileSync(join(data, 'identity-1', 'identity.json'), '{}', { mode: 0o600 });
    symlinkSync('identity-1', join(data, 'identity'));
    const svc = await trial('connector', connectorEnv(data));
    const answer = await svc.waitForStatus('/ready', 503);
    expect(answer.json()).toMatchObject({
      ready: false,
      checks: { identity: { ok: false, detail: expect.any(String) } },
    });
    await stop(svc);
  });

  it('update: not ready, saying so, when the Docker socket does not answer (ready with one: the e2e rollout)', async () => {
    const svc = await trial('update', { PA_DOCKER_SOCKET: join(dir, 'no-docker.sock') });
    const answer = await svc.waitForStatus('/ready', 503);
    expect(answer.json()).toMatchObject({
      ready: false,
      checks: { docker: { ok: false, detail: expect.stringMatching(/docker engine/i) } },
    });
    expect(await keysOf('update')).toEqual([]);
    await stop(svc);
  });

  it('a bad setting still ends the trial run with the exit code and the line naming it', async () => {
    const { code, lines } = await runServiceToExit('pop-manager', {
      PA_TRIAL_RUN: 'true',
      PA_REDIS_URL: 'http://nope',
    });
    expect(code).toBe(78);
    expect(lines.join('\n')).toMatch(/PA_REDIS_URL/);
  });
});

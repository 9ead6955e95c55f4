import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AppHealth,
  encodeAppHealth,
  encodeTunnelState,
  RedisKeys,
  type TunnelState,
} from '@pa-connector/redis-contracts';
import {
  buildService,
  freePort,
  repoRoot,
  type ServiceProcess,
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import Redis from 'ioredis';
import { runCli } from '../../src/run-cli';
import { buildCli } from '../support/build-cli';
import { runInProcess } from '../support/run-in-process';

afterAll(stopAll);

const TUNNELS: TunnelState[] = [
  {
    name: 't1',
    gateway: 'gw-a',
    remote: '10.231.0.1:1194/udp',
    phase: 'connected',
    since: new Date().toISOString(),
    localAddress: '10.231.1.7',
    reconnects: 0,
    bytesIn: 4096,
    bytesOut: 1024,
  },
];
const HEALTH: AppHealth[] = [
  {
    appId: 'wiki',
    status: 'unhealthy',
    since: new Date().toISOString(),
    servers: [
      { server: '10.0.0.5:443', up: true, checkedAt: new Date().toISOString(), failures: 0 },
      {
        server: '10.0.0.6:443',
        up: false,
        checkedAt: new Date().toISOString(),
        failures: 2,
        error: 'connect ECONNREFUSED',
      },
    ],
  },
];
const CATALOG = {
  version: '1',
  syncedAt: new Date().toISOString(),
  apps: [
    {
      id: 'wiki',
      name: 'Team wiki',
      host: 'wiki.corp.example',
      port: 443,
      servers: [
        { host: '10.0.0.5', port: 443 },
        { host: '10.0.0.6', port: 443 },
      ],
      strategy: 'round-robin',
      healthCheck: { type: 'tcp' },
    },
  ],
  rejected: [],
};

describe('pa-operator and pa_connector.sh against the real pop-manager and logging services', () => {
  let redis: TestRedis;
  let client: Redis;
  let keys: RedisKeys;
  let logging: ServiceProcess;
  let pm: ServiceProcess;
  let dir: string;
  let env: Record<string, string>;
  const hostname = `pop-op-${process.pid}`;

  beforeAll(async () => {
    buildService('pop-manager');
    buildService('logging');
    redis = await startRedis();
    keys = new RedisKeys(redis.prefix);
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    dir = mkdtempSync(join(tmpdir(), 'pa-op-svc-'));
    const common = {
      PA_REDIS_URL: redis.url,
      PA_REDIS_PREFIX: redis.prefix,
      PA_HEARTBEAT_INTERVAL: '300ms',
      PA_HOSTNAME: hostname,
    };
    logging = await startServiceProcess({
      service: 'logging',
      built: true,
      env: { ...common, PA_LOG_DIR: join(dir, 'logs') },
    });
    pm = await startServiceProcess({
      service: 'pop-manager',
      built: true,
      env: {
        ...common,
        PA_POP_STATUS_INTERVAL: '300ms',
        // Nothing listens there: pushes fail (and pop-manager logs that, which feeds the logs).
        PA_CONNECTOR_URL: `http://127.0.0.1:${await freePort()}`,
        PA_POP_PUSH_RETRY_INITIAL_DELAY: '1s',
      },
    });
    await client
      .multi()
      .hset(keys.tunnels(), Object.fromEntries(TUNNELS.map((t) => [t.name, encodeTunnelState(t)])))
      .hset(keys.appHealth(), Object.fromEntries(HEALTH.map((a) => [a.appId, encodeAppHealth(a)])))
      .set(keys.catalog(), JSON.stringify(CATALOG))
      .exec();
    env = {
      PA_POP_MANAGER_URL: pm.url,
      PA_LOGGING_URL: logging.url,
      PA_CONNECTOR_URL: `http://127.0.0.1:${await freePort()}`,
    };
    await waitFor(
      'logging and pop-manager up in the status',
      async () => {
        const s = JSON.parse((await runInProcess(['status', '--json'], env)).stdout) as {
          services: Array<{ name: string; status: string }>;
        };
        const up = (n: string) => s.services.find((x) => x.name === n)?.status === 'up';
        return up('logging') && up('pop-manager');
      },
      20_000,
    );
  }, 180_000);

  afterAll(async () => {
    await pm?.stop();
    await logging?.stop();
    client?.disconnect();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('status: the POP under its hostname, every service with its state, tunnels and apps counted', async () => {
    const r = await runInProcess(['status'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^POP:\\s+${hostname}$`, 'm'));
    expect(r.stdout).toMatch(/^tunnels:\s+1 connected$/m);
    expect(r.stdout).toMatch(/^apps:\s+1 unhealthy$/m);
    expect(r.stdout).toMatch(/^connector:\s+connector is not reachable at .*\/ready/m);
    expect(r.stdout).toMatch(/^logging\s+up\s+\S+\s+\d+/m);
    expect(r.stdout).toMatch(/^pop-manager\s+up\s+/m);
    expect(r.stdout).toMatch(/^connector\s+down\s+/m);
    console.log(`pa-operator status against the real services:\n${r.stdout}`);
  });

  it('version, tunnels, apps', async () => {
    const v = await runInProcess(['version', '--json'], env);
    const versions = JSON.parse(v.stdout) as { services: Array<{ name: string; running: string }> };
    expect(versions.services.find((s) => s.name === 'logging')?.running).toMatch(/^\d+\.\d+\.\d+/);
    const t = await runInProcess(['tunnels'], env);
    expect(t.stdout).toMatch(/^t1\s+gw-a\s+10\.231\.0\.1:1194\/udp\s+connected\s+/m);
    const a = await runInProcess(['apps'], env);
    expect(a.stdout).toMatch(/^Team wiki\s+wiki\.corp\.example:443\s+unhealthy\s+1\/2/m);
    expect(a.stdout).toMatch(/^ {2}10\.0\.0\.6:443\s+down\s+.*connect ECONNREFUSED$/m);
  });

  it('logs: stored lines, and -f shows a new line as soon as it is durable', async () => {
    const stored = await waitFor('stored lines of pop-manager', async () => {
      const r = await runInProcess(['logs', '--service', 'pop-manager', '--json'], env);
      return r.code === 0 && r.stdout ? r.stdout : undefined;
    });
    expect(JSON.parse(stored.split('\n')[0] as string)).toMatchObject({ service: 'pop-manager' });

    const stop = new AbortController();
    const out: string[] = [];
    const following = runCli(['logs', '-f', '--service', 'op-probe', '--limit', '0'], {
      env,
      out: (l) => out.push(l),
      err: (l) => out.push(`ERR ${l}`),
      now: () => new Date(),
      signal: stop.signal,
      sleep: async () => undefined,
      readFile: async () => '',
    });
    const marker = `marker-${process.pid}-${Date.now()}`;
    const t0 = Date.now();
    // Added the way the shared logger does; the logging service writes it, then tails it. The
    // tail starts with no backlog, so the line is added again until the tail has shown one.
    await waitFor(
      'the marker line in the tail',
      async () => {
        if (out.some((l) => l.includes(marker))) return true;
        const line = {
          level: 'warn',
          time: new Date().toISOString(),
          service: 'op-probe',
          msg: marker,
        };
        await client.xadd(keys.logs(), '*', 'service', 'op-probe', 'line', JSON.stringify(line));
        return false;
      },
      15_000,
      300,
    );
    console.log(`logs -f: first marker line shown ${Date.now() - t0} ms after the first was added`);
    stop.abort();
    expect(await following).toBe(0);
    expect(out.find((l) => l.includes(marker))).toMatch(/op-probe\s+WARN\s+marker-/);
  });

  it('pa_connector.sh runs the same commands from its env file', async () => {
    const envFile = join(dir, 'pa_connector.env');
    writeFileSync(
      envFile,
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    buildCli();
    const script = join(repoRoot(), 'pa_connector.sh');
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          'bash',
          [script, ...args],
          { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PA_CONNECTOR_ENV: envFile } },
          (err, stdout, stderr) =>
            resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
        );
      });
    const s = await run(['status', '--json']);
    expect(s.stderr).toBe('');
    expect(JSON.parse(s.stdout)).toMatchObject({ hostname });
    expect(s.code).toBe(0);
    const menu = await new Promise<string>((resolve) => {
      const child = execFile(
        'bash',
        [script, 'menu'],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PA_CONNECTOR_ENV: envFile } },
        (_err, stdout) => resolve(stdout),
      );
      child.stdin?.end('3\n4\nq\n');
    });
    expect(menu).toMatch(/^t1\s+gw-a/m);
    expect(menu).toMatch(/^Team wiki\s+/m);
  });
});

import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RedisKeys } from '@pa-connector/redis-contracts';
import { ServiceExit } from '@pa-connector/service-runtime';
import { freePort, startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import Redis from 'ioredis';
import { scratch, startInProcess, testEnv } from '../support/connector';

afterAll(stopAll);

const mode = (p: string) => statSync(p).mode & 0o777;

describe('enrollment against the emulator', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    emu = await startEmulatorHarness();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await emu?.stop();
    await redis?.stop();
  });
  beforeEach(() => {
    tmp = scratch();
  });
  afterEach(() => tmp.cleanup());

  const env = async (
    o: {
      maxUses?: number;
      key?: string;
      dataDir?: string;
      sseUrls?: string[];
      prefix?: string;
    } = {},
  ) => {
    let key = o.key;
    let keyId: string | undefined;
    let groupId: string | undefined;
    if (key === undefined) {
      groupId = await emu.admin.group();
      const k = await emu.admin.key(groupId, { maxUses: o.maxUses ?? 1 });
      key = k.key;
      keyId = k.id;
    }
    const prefix = o.prefix ?? `${redis.prefix}${Math.random().toString(36).slice(2, 8)}:`;
    return {
      key,
      keyId,
      groupId,
      prefix,
      env: testEnv({
        sseUrls: o.sseUrls ?? [emu.sseUrl],
        caCertPath: emu.caCertPath,
        dataDir: o.dataDir ?? join(tmp.dir, 'data'),
        redisUrl: redis.url,
        redisPrefix: prefix,
        keyFile: tmp.file(`key-${Math.random()}`, `${key}\n`),
      }),
    };
  };

  it('enrolls, stores a 0600 identity, publishes it, turns ready; a restart does not enroll again', async () => {
    const { env: e, keyId, prefix } = await env();
    const c = await startInProcess(e);
    try {
      expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
      await waitFor('ready', async () => (await fetch(`${c.url}/ready`)).status === 200, 15_000);
      const identity = c.service.controlPlane.identity;
      expect(identity?.connectorId).toMatch(/^con_/);
      const ready = (await (await fetch(`${c.url}/ready`)).json()) as { checks: unknown };
      expect(ready.checks).toMatchObject({ enrolled: { ok: true }, redis: { ok: true } });

      const dataDir = join(tmp.dir, 'data');
      expect(mode(dataDir)).toBe(0o700);
      for (const f of ['identity.json', 'client.key', 'client.crt', 'ca-chain.pem']) {
        expect(mode(join(dataDir, 'identity', f))).toBe(0o600);
      }
      const keys = new RedisKeys(prefix);
      const summary = await waitFor('identity in Redis', async () => {
        const h = await client.hgetall(keys.connectorIdentity());
        return h.connectorId ? h : undefined;
      });
      expect(summary).toMatchObject({
        connectorId: identity?.connectorId,
        hostname: 'pop-vm-1',
        region: 'local',
      });
      expect(JSON.parse(summary.gateways as string)).toHaveLength(2);
      const hb = await waitFor(
        'heartbeat',
        async () => (await client.hget(keys.heartbeat('connector'), 'status')) === 'ready',
      );
      expect(hb).toBe(true);
      const metrics = await (await fetch(`${c.url}/metrics`)).text();
      expect(metrics).toMatch(/pa_connector_enrollment_attempts_total\{result="success"\} 1/);
      expect(metrics).toMatch(/pa_connector_certificate_expiry_timestamp_seconds \d{10}/);
    } finally {
      await c.stop();
    }

    const again = await startInProcess(e);
    try {
      await waitFor(
        'ready again',
        async () => (await fetch(`${again.url}/ready`)).status === 200,
        15_000,
      );
      expect(again.lines.join('\n')).toContain('already enrolled');
      expect(again.failures).toEqual([]);
      const mine = (await emu.admin.connectors()).filter((x) => x.keyId === keyId);
      expect(mine).toHaveLength(1);
      expect((await emu.admin.keyInfo(keyId as string)).uses).toBe(1);
    } finally {
      await again.stop();
    }
  });

  it('tightens a pre-existing 0644 identity file on start and logs it', async () => {
    const { env: e } = await env();
    const first = await startInProcess(e);
    await waitFor('enrolled', () => first.service.controlPlane.state.phase === 'enrolled', 15_000);
    await first.stop();
    const key = join(tmp.dir, 'data', 'identity', 'client.key');
    chmodSync(key, 0o644);
    chmodSync(join(tmp.dir, 'data'), 0o755);
    const second = await startInProcess(e);
    try {
      await waitFor(
        'enrolled',
        () => second.service.controlPlane.state.phase === 'enrolled',
        15_000,
      );
      expect(mode(key)).toBe(0o600);
      expect(mode(join(tmp.dir, 'data'))).toBe(0o700);
      const tightened = second.lines
        .map((l) => JSON.parse(l))
        .filter((l) => String(l.msg).startsWith('tightened permissions'));
      expect(tightened.map((l) => [l.from, l.to])).toEqual(
        expect.arrayContaining([
          ['0644', '0600'],
          ['0755', '0700'],
        ]),
      );
    } finally {
      await second.stop();
    }
  });

  it('five connectors enrolling at once with a 1-use key: exactly one wins, the others stop with exit 66', async () => {
    const { key, keyId } = await env();
    const starts = await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) =>
        startInProcess((await env({ key, dataDir: join(tmp.dir, `data-${i}`) })).env),
      ),
    );
    try {
      await waitFor(
        'all settled',
        () =>
          starts.every(
            (c) => c.failures.length > 0 || c.service.controlPlane.state.phase === 'enrolled',
          ),
        20_000,
      );
      const enrolled = starts.filter((c) => c.service.controlPlane.state.phase === 'enrolled');
      const failed = starts.filter((c) => c.failures.length > 0);
      expect(enrolled).toHaveLength(1);
      expect(failed).toHaveLength(4);
      for (const f of failed) {
        expect(f.failures[0]).toBeInstanceOf(ServiceExit);
        expect(f.failures[0]).toMatchObject({ exitCode: 66, code: 'provisioning_key_exhausted' });
      }
      const mine = (await emu.admin.connectors()).filter((x) => x.keyId === keyId);
      expect(mine).toHaveLength(1);
      // The losers wrote no identity at all.
      for (const i of [1, 2, 3, 4, 5]) {
        const c = starts[i - 1];
        const dir = join(tmp.dir, `data-${i}`);
        expect(existsSync(join(dir, 'identity'))).toBe(
          c?.service.controlPlane.state.phase === 'enrolled',
        );
      }
    } finally {
      await Promise.all(starts.map((c) => c.stop()));
    }
  });

  it('retries while the SSE drops connections, then enrolls', async () => {
    const { env: e } = await env();
    await emu.admin.fault('register', { mode: 'down', count: 3 });
    const c = await startInProcess(e);
    try {
      await waitFor('enrolled', () => c.service.controlPlane.state.phase === 'enrolled', 20_000);
      const retries = c.lines
        .map((l) => JSON.parse(l))
        .filter((l) => l.msg === 'enrollment attempt failed; retrying');
      expect(retries).toHaveLength(3);
      expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
      for (const r of retries) expect(r.delayMs).toBeGreaterThan(0);
      expect(retries[0].code).toBe('network_error');
    } finally {
      await emu.admin.clearFaults();
      await c.stop();
    }
  });

  it('retries while the SSE is not up yet, then enrolls once it starts', async () => {
    const port = await freePort();
    const late = await startEmulatorHarness({ port, dataDir: join(tmp.dir, 'emulator') });
    const groupId = await late.admin.group();
    const { key } = await late.admin.key(groupId);
    await late.stop();
    // Same data dir → same CA and state: the key is still valid after the restart below.
    const c = await startInProcess(
      testEnv({
        sseUrls: [late.sseUrl],
        caCertPath: late.caCertPath,
        dataDir: join(tmp.dir, 'data'),
        redisUrl: redis.url,
        redisPrefix: `${redis.prefix}late:`,
        keyFile: tmp.file('late-key', key),
      }),
    );
    let restarted: EmulatorHarness | undefined;
    try {
      await waitFor(
        'two failed attempts',
        () => c.lines.filter((l) => l.includes('enrollment attempt failed; retrying')).length >= 2,
        10_000,
      );
      expect(c.service.controlPlane.state.phase).toBe('enrolling');
      expect((await fetch(`${c.url}/ready`)).status).toBe(503);
      restarted = await startEmulatorHarness({ port, dataDir: late.dataDir });
      await waitFor('enrolled', () => c.service.controlPlane.state.phase === 'enrolled', 20_000);
      expect(await restarted.admin.connectors()).toHaveLength(1);
    } finally {
      await c.stop();
      await restarted?.stop();
    }
  });

  it.each([['missing-fields'], ['not-json']])(
    'a register answer that is malformed (%s) stops the service (76) and stores nothing',
    async (variant) => {
      const { env: e } = await env();
      await emu.admin.fault('register', { mode: 'malformed', variant, count: 1 });
      const c = await startInProcess(e);
      try {
        await waitFor('failed', () => c.failures.length > 0, 15_000);
        expect(c.failures[0]).toMatchObject({ exitCode: 76 });
        expect((c.failures[0] as Error).message).toMatch(
          /bad response from the SSE.*no identity was stored/,
        );
        expect(readdirSync(join(tmp.dir, 'data'))).toEqual([]);
        expect((await fetch(`${c.url}/ready`)).status).toBe(503);
      } finally {
        await emu.admin.clearFaults();
        await c.stop();
      }
    },
  );
});

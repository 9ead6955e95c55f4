import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeLogStreamEntry } from '@pa-connector/logger';
import { decodeHeartbeat, RedisKeys } from '@pa-connector/redis-contracts';
import { formatProvisioningKey, parseProvisioningKey } from '@pa-connector/sse-api';
import {
  freePort,
  startRedis,
  stopAll,
  type TestRedis,
  type TrackedProcess,
} from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import Redis from 'ioredis';
import { scratch, spawnConnector, testEnv } from '../support/connector';

afterAll(stopAll);

const ROOT = join(__dirname, '../../../..');

/** A key of the right shape that no SSE issued. */
const unknownKey = (secret = 'Z'.repeat(43)) =>
  formatProvisioningKey({
    connectorName: 'nobody',
    customerId: 'cus_1',
    keyId: 'f'.repeat(16),
    secret,
  });

/** Lines the process printed that are not JSON log lines (the one-line failure reason). */
function plainLines(p: TrackedProcess): string[] {
  return p.lines.filter((l) => {
    if (!l.trim()) return false;
    try {
      JSON.parse(l);
      return false;
    } catch {
      return true;
    }
  });
}

describe('the built connector process: exit codes and what it prints', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let groupId: string;
  beforeAll(async () => {
    // The test runs dist/main.js, so build it (and what it references) first.
    execFileSync('pnpm', ['exec', 'tsc', '-b', 'services/connector'], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 170_000,
    });
    redis = await startRedis();
    emu = await startEmulatorHarness();
    tmp = scratch();
    groupId = await emu.admin.group();
  }, 180_000);
  afterAll(async () => {
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  let n = 0;
  const run = (key: string, extra: Record<string, string> = {}) => {
    n++;
    return spawnConnector(
      testEnv({
        sseUrls: [emu.sseUrl],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, `data-${n}`),
        redisUrl: redis.url,
        redisPrefix: `${redis.prefix}${n}:`,
        keyFile: tmp.file(`key-${n}`, `${key}\n`),
        extra,
      }),
    );
  };

  const expectNoKey = (p: TrackedProcess, key: string) => {
    const parsed = parseProvisioningKey(key);
    const secret = parsed.ok ? parsed.key.secret : key;
    for (const line of p.lines) {
      expect(line).not.toContain(key);
      expect(line).not.toContain(secret);
    }
  };

  it('enrolls, logs JSON only, never the key, and stops with 0 on SIGTERM, its last line shipped; a second use of the key exits 66', async () => {
    const { key } = await emu.admin.key(groupId, { maxUses: 1 });
    const p = run(key);
    await p.waitForLine(/"msg":"enrolled"/, 20_000);
    expect(await p.stop()).toBe(0);
    expect(plainLines(p)).toEqual([]);
    expect(p.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expectNoKey(p, key);
    // Its last line, `stopped`, reached the log stream before Redis closed; the last beat says so.
    const keys = new RedisKeys(`${redis.prefix}${n}:`);
    const reader = new Redis(redis.url);
    try {
      const shipped = (await reader.xrange(keys.logs(), '-', '+')).map(
        ([id, fields]) => JSON.parse(decodeLogStreamEntry(id, fields)?.line ?? '{}').msg,
      );
      expect(shipped).toContain('stopping');
      expect(shipped.at(-1)).toBe('stopped');
      expect(decodeHeartbeat(await reader.hgetall(keys.heartbeat('connector')))?.status).toBe(
        'stopping',
      );
    } finally {
      reader.disconnect();
    }

    const second = run(key);
    expect(await second.exited).toBe(66);
    expect(plainLines(second)).toEqual([
      expect.stringMatching(
        /^connector: enrollment refused \[provisioning_key_exhausted\]: .*used as many times/,
      ),
    ]);
    expectNoKey(second, key);
  });

  it('a revoked key exits 67', async () => {
    const { key, id } = await emu.admin.key(groupId);
    await emu.admin.revokeKey(id);
    const p = run(key);
    expect(await p.exited).toBe(67);
    expect(plainLines(p)).toEqual([
      expect.stringMatching(/^connector: enrollment refused \[provisioning_key_revoked\]/),
    ]);
    expectNoKey(p, key);
  });

  it('a group key replaced by a rotation exits 67, as revoked', async () => {
    const group = await emu.admin.groupWithKey('rotated', 2);
    const successor = await emu.admin.rotateKey(group.id);
    expect(successor.revokedKeyId).toBe(group.keyId);
    const p = run(group.key);
    expect(await p.exited).toBe(67);
    expect(plainLines(p)).toEqual([
      expect.stringMatching(/^connector: enrollment refused \[provisioning_key_revoked\]/),
    ]);
    expectNoKey(p, group.key);
  });

  it('an expired key exits 68', async () => {
    const { key } = await emu.admin.key(groupId, { expiresInSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1_500));
    const p = run(key);
    expect(await p.exited).toBe(68);
    expect(plainLines(p)).toEqual([
      expect.stringMatching(/^connector: enrollment refused \[provisioning_key_expired\]/),
    ]);
    expectNoKey(p, key);
  });

  it('a well-formed key the SSE does not know exits 65', async () => {
    const key = unknownKey();
    const p = run(key);
    expect(await p.exited).toBe(65);
    expect(plainLines(p)).toEqual([
      expect.stringMatching(/^connector: enrollment refused \[provisioning_key_invalid\]/),
    ]);
    expectNoKey(p, key);
  });

  it('a malformed key exits 65 without contacting the SSE, naming what is wrong', async () => {
    const before = (await emu.admin.connectors()).length;
    const fields = { connectorName: 'g', customerId: 'c', keyId: '0123456789abcdef' };
    const secret = 'not-a-real-key-but-secret-looking-123456';
    const key = Buffer.from(JSON.stringify({ ...fields, secret })).toString('base64url');
    const p = run(key);
    expect(await p.exited).toBe(65);
    expect(plainLines(p)).toEqual([
      'connector: provisioning key in PA_PROVISIONING_KEY_FILE is malformed: field "secret" must be 43 base64url characters; nothing was sent to the SSE',
    ]);
    expect(p.lines.join('\n')).not.toContain(secret);
    expect(p.lines.some((l) => l.includes('enrolling with the SSE'))).toBe(false);
    expect((await emu.admin.connectors()).length).toBe(before);
    expectNoKey(p, key);
  });

  it('stops with 0 on SIGTERM while still retrying enrollment', async () => {
    const { key } = await emu.admin.key(groupId);
    const p = run(key, { PA_SSE_URLS: `https://127.0.0.1:${await freePort()}` });
    await p.waitForLine(/enrollment attempt failed; retrying/, 10_000);
    expect(await p.stop()).toBe(0);
    expect(plainLines(p)).toEqual([]);
    expectNoKey(p, key);
  });

  it('a mistyped setting exits 78 naming it and the setting it was probably meant to be', async () => {
    const p = run(unknownKey('B'.repeat(43)), { PA_REDIS_URLL: redis.url });
    expect(await p.exited).toBe(78);
    expect(plainLines(p)).toEqual([
      'connector: PA_REDIS_URLL: is not a setting of this service; did you mean PA_REDIS_URL?',
    ]);
  });

  it("another service's setting is refused too (each service is given only its own)", async () => {
    const p = run(unknownKey('B'.repeat(43)), { PA_LOG_DIR: tmp.dir });
    expect(await p.exited).toBe(78);
    expect(plainLines(p)).toEqual([
      expect.stringMatching(/^connector: PA_LOG_DIR: is not a setting of this service/),
    ]);
  });

  it('a duration above its maximum exits 78 naming the setting and the maximum', async () => {
    const p = run(unknownKey('B'.repeat(43)), { PA_HEALTH_INTERVAL: '30d' });
    expect(await p.exited).toBe(78);
    expect(plainLines(p)).toEqual(['connector: PA_HEALTH_INTERVAL: must be at most 1h, got 30d']);
  });

  it('a bad setting exits 78 naming it', async () => {
    const p = run(unknownKey('B'.repeat(43)), {
      PA_SSE_URLS: 'http://insecure.example',
    });
    expect(await p.exited).toBe(78);
    expect(plainLines(p)).toEqual([
      expect.stringMatching(/^connector: PA_SSE_URLS: must use https/),
    ]);
  });
});

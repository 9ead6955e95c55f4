import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startRedis, stopAll, type TestRedis } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { scratch, spawnConnector, testEnv } from '../support/connector';

afterAll(stopAll);

const ROOT = join(__dirname, '../../../..');

/**
 * The built connector against the emulator when the SSE registers the connector but its answer
 * never arrives: the retry (or the next start) sends the same CSR and gets the same
 * registration, so a one-use key is used once.
 */
describe('the built connector: a lost registration answer does not use the key up', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  beforeAll(async () => {
    execFileSync('pnpm', ['exec', 'tsc', '-b', 'services/connector'], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 170_000,
    });
    redis = await startRedis();
    emu = await startEmulatorHarness();
    tmp = scratch();
  }, 180_000);
  afterAll(async () => {
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });
  afterEach(() => emu.admin.clearFaults());

  let n = 0;
  const setup = async () => {
    n++;
    const groupId = await emu.admin.group(`lost-${n}`);
    const { key, id } = await emu.admin.key(groupId, { maxUses: 1 });
    const dataDir = join(tmp.dir, `data-${n}`);
    const env = testEnv({
      sseUrls: [emu.sseUrl],
      caCertPath: emu.caCertPath,
      dataDir,
      redisUrl: redis.url,
      redisPrefix: `${redis.prefix}lost${n}:`,
      keyFile: tmp.file(`key-${n}`, `${key}\n`),
    });
    const mine = async () => (await emu.admin.connectors()).filter((c) => c.keyId === id);
    return { env, dataDir, keyId: id, mine };
  };

  it('the answer is lost once: the retry enrolls, the key shows one use and one connector', async () => {
    const { env, dataDir, keyId, mine } = await setup();
    await emu.admin.fault('register', { mode: 'lost-response', count: 1 });
    const p = spawnConnector(env);
    try {
      await p.waitForLine(/"msg":"enrolled"/, 30_000);
      expect(p.lines.some((l) => l.includes('enrollment attempt failed; retrying'))).toBe(true);
      expect((await emu.admin.keyInfo(keyId)).uses).toBe(1);
      const connectors = await mine();
      expect(connectors).toHaveLength(1);
      expect(p.lines.join('\n')).toContain(`"connectorId":"${connectors[0]?.id}"`);
      // Enrolled: the pending key is gone, the identity holds the key.
      expect(existsSync(join(dataDir, 'enrollment.key'))).toBe(false);
      expect(statSync(join(dataDir, 'identity', 'client.key')).mode & 0o777).toBe(0o600);
    } finally {
      await p.stop();
    }
  });

  it('killed after the registration was sent: the next start enrolls with the same key pair', async () => {
    const { env, dataDir, keyId, mine } = await setup();
    await emu.admin.fault('register', { mode: 'lost-response' });
    const first = spawnConnector(env);
    await first.waitForLine(/enrollment attempt failed; retrying/, 30_000);
    // The SSE has registered it; the connector never heard.
    expect((await emu.admin.keyInfo(keyId)).uses).toBe(1);
    expect(statSync(join(dataDir, 'enrollment.key')).mode & 0o777).toBe(0o600);
    first.child.kill('SIGKILL');
    await first.exited;
    await emu.admin.clearFaults();

    const second = spawnConnector(env);
    try {
      await second.waitForLine(/"msg":"enrolled"/, 30_000);
      expect(second.lines.join('\n')).toContain('continuing an unfinished enrollment');
      expect((await emu.admin.keyInfo(keyId)).uses).toBe(1);
      expect(await mine()).toHaveLength(1);
      expect(existsSync(join(dataDir, 'enrollment.key'))).toBe(false);
    } finally {
      await second.stop();
    }
  });
});

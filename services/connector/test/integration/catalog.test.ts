import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type CatalogSnapshot, decodeChange, RedisKeys } from '@pa-connector/redis-contracts';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import Redis from 'ioredis';
import { CATALOG_FILE } from '../../src/catalog/catalog-file';
import { type InProcessConnector, scratch, startInProcess, testEnv } from '../support/connector';

afterAll(stopAll);

const app = (id: string, host: string, port = 443) => ({
  id,
  name: `App ${id}`,
  host,
  port,
  servers: [{ host: '10.1.0.5', port: 8443 }],
});

describe('catalog sync', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let c: InProcessConnector;
  let env: Record<string, string>;
  let r: Redis;
  let sub: Redis;
  let groupId: string;
  const announcements: string[] = [];
  let keys: RedisKeys;

  const snapshot = async () => {
    const text = await r.get(keys.catalog());
    return text ? (JSON.parse(text) as CatalogSnapshot<{ id: string }>) : undefined;
  };
  const syncs = async (result: string) => {
    const m = await (await fetch(`${c.url}/metrics`)).text();
    const line = m
      .split('\n')
      .find((l) => l.startsWith(`pa_connector_catalog_sync_total{result="${result}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  beforeAll(async () => {
    redis = await startRedis();
    keys = new RedisKeys(redis.prefix);
    r = new Redis(redis.url);
    sub = new Redis(redis.url);
    await sub.subscribe(keys.channel('catalog'));
    sub.on('message', (_ch, msg) => announcements.push(msg));
    tmp = scratch();
    emu = await startEmulatorHarness();
    groupId = await emu.admin.group();
    await emu.admin.setApps(groupId, [
      app('wiki', 'wiki.corp'),
      { ...app('broken-port', 'x.corp'), port: 70000 },
      app('git', '10.0.0.7', 22),
      { id: '', name: 'no id', host: 'y.corp', port: 1, servers: [{ host: 'a', port: 1 }] },
      { ...app('bad-strategy', 'z.corp'), strategy: 'random' },
    ]);
    const { key } = await emu.admin.key(groupId);
    env = testEnv({
      sseUrls: [emu.sseUrl],
      caCertPath: emu.caCertPath,
      dataDir: join(tmp.dir, 'data'),
      redisUrl: redis.url,
      redisPrefix: redis.prefix,
      keyFile: tmp.file('key', key),
    });
    c = await startInProcess(env);
  });
  afterAll(async () => {
    await c?.stop();
    r?.disconnect();
    sub?.disconnect();
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  it('applies the good entries, reports the bad ones in Redis, logs and metrics, and announces the change', async () => {
    const s = await waitFor('catalog in Redis', snapshot, 15_000);
    expect(s.apps.map((a) => a.id)).toEqual(['wiki', 'git']);
    expect(s.apps[0]).toMatchObject({ strategy: 'round-robin', healthCheck: { type: 'tcp' } });
    expect(s.rejected).toEqual([
      { index: 1, id: 'broken-port', reason: expect.stringContaining('port 70000') },
      { index: 3, reason: 'id is missing or empty' },
      { index: 4, id: 'bad-strategy', reason: expect.stringContaining('strategy "random"') },
    ]);
    await waitFor('announcement', () => announcements.length > 0);
    expect(decodeChange(announcements[0] as string)).toMatchObject({ topic: 'catalog' });
    const rejectedLogs = c.lines.filter((l) => l.includes('catalog entry rejected'));
    expect(rejectedLogs).toHaveLength(3);
    const m = await (await fetch(`${c.url}/metrics`)).text();
    expect(m).toContain('pa_connector_catalog_apps 2');
    expect(m).toContain('pa_connector_catalog_rejected_apps 3');
  });

  it('asks with If-None-Match: an unchanged catalog is not downloaded again', async () => {
    const before = await syncs('not_modified');
    await waitFor('304s', async () => (await syncs('not_modified')) >= before + 2, 10_000);
    expect(await syncs('updated')).toBe(1);
  });

  it('keeps the last good catalog while the SSE fails (5xx, then garbage), and takes the new one after', async () => {
    const kept = await snapshot();
    await emu.admin.fault('catalog', { mode: '5xx', status: 503 });
    await emu.admin.setApps(groupId, [app('wiki', 'wiki.corp'), app('new-app', 'new.corp')]);
    const errors = await syncs('sse_error');
    await waitFor('failing syncs', async () => (await syncs('sse_error')) >= errors + 2, 10_000);
    expect(await snapshot()).toEqual(kept);

    await emu.admin.fault('catalog', { mode: 'malformed', variant: 'not-json' });
    const invalid = await syncs('invalid');
    await waitFor('invalid syncs', async () => (await syncs('invalid')) >= invalid + 2, 10_000);
    expect(await snapshot()).toEqual(kept);
    expect((await fetch(`${c.url}/ready`)).status).toBe(200);

    await emu.admin.clearFaults();
    const fresh = await waitFor(
      'new catalog',
      async () => {
        const s = await snapshot();
        return s && s.version !== kept?.version ? s : undefined;
      },
      10_000,
    );
    expect(fresh.apps.map((a) => a.id)).toEqual(['wiki', 'new-app']);
    expect(fresh.rejected).toEqual([]);
  });

  it('keeps the last good catalog and its ETag in a 0600 file: a restart during an SSE outage serves it, and an unchanged catalog is a 304 after', async () => {
    const file = join(tmp.dir, 'data', CATALOG_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = await snapshot();
    await c.stop();
    await emu.admin.fault('catalog', { mode: 'down' });
    c = await startInProcess(env);
    const served = await waitFor(
      'stored catalog served',
      async () => c.service.controlPlane.catalog.snapshot,
      10_000,
    );
    expect(served.apps.map((a) => a.id)).toEqual(['wiki', 'new-app']);
    expect(served.version).toBe(before?.version);
    expect(c.lines.join('\n')).toContain('serving the stored catalog until the SSE answers');
    await waitFor('failing syncs', async () => (await syncs('sse_error')) >= 1, 10_000);
    expect(await syncs('updated')).toBe(0);
    await emu.admin.clearFaults();
    await waitFor(
      'a 304 with the stored ETag',
      async () => (await syncs('not_modified')) >= 1,
      10_000,
    );
    expect(await syncs('updated')).toBe(0);
  });

  it('writes the catalog again when Redis lost it', async () => {
    await r.del(keys.catalog());
    // A restarted Redis announces itself with 'ready'; the next change or reconnect republishes.
    c.service.redis.disconnect(true);
    const back = await waitFor('catalog back in Redis', snapshot, 10_000);
    expect(back.apps.map((a) => a.id)).toEqual(['wiki', 'new-app']);
  });
});

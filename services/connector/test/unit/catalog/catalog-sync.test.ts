import { EventEmitter } from 'node:events';
import { RedisKeys } from '@pa-connector/redis-contracts';
import type { Redis } from '@pa-connector/service-runtime';
import type { CatalogApp, CatalogResult } from '@pa-connector/sse-api';
import { waitFor } from '@pa-connector/test-support';
import type { CatalogFile } from '../../../src/catalog/catalog-file';
import { CatalogSync } from '../../../src/catalog/catalog-sync';
import type { Clock } from '../../../src/clock';
import { captureLogger } from '../../support/capture-logger';

const app = (id: string): CatalogApp => ({
  id,
  name: id,
  host: `${id}.corp`,
  port: 443,
  servers: [{ host: '10.0.0.5', port: 8443 }],
  strategy: 'round-robin',
  healthCheck: { type: 'tcp' },
});

/** A Redis whose MULTI/EXEC the test holds (no answer) or lets through. */
function hangingRedis() {
  const emitter = new EventEmitter();
  const written: Array<{ version: string }> = [];
  let release: Array<() => void> = [];
  const state = { hang: true };
  const redis = Object.assign(emitter, {
    status: 'ready',
    multi() {
      let value = '';
      const chain = {
        set(_k: string, v: string) {
          value = v;
          return chain;
        },
        publish() {
          return chain;
        },
        exec: () =>
          new Promise<unknown[]>((resolve) => {
            const done = () => {
              written.push(JSON.parse(value) as { version: string });
              resolve([]);
            };
            if (state.hang) release.push(done);
            else done();
          }),
      };
      return chain;
    },
  });
  return {
    redis: redis as unknown as Redis,
    written,
    state,
    /** Lets held writes through, in the order they were sent. */
    answer() {
      for (const r of release) r();
      release = [];
    },
  };
}

function setup(store?: { file: CatalogFile; owner: () => string | undefined }) {
  const r = hangingRedis();
  const sent: Array<string | undefined> = [];
  let next: CatalogResult = { status: 'not-modified', etag: undefined };
  const clock: Clock = {
    now: () => Date.parse('2026-12-02T10:00:00Z'),
    setTimer: () => ({ cancel: () => undefined }),
  };
  const counter = { inc: () => undefined };
  const gauge = { set: () => undefined };
  const applied: string[][] = [];
  const sync = new CatalogSync({
    client: {
      catalog: async (_token: string, o: { etag?: string } = {}) => {
        sent.push(o.etag);
        return next;
      },
    } as never,
    tokens: { withToken: (fn: (t: string) => Promise<unknown>) => fn('token') } as never,
    redis: r.redis,
    keys: new RedisKeys('t:'),
    clock,
    random: () => 0,
    intervalMs: 60_000,
    logger: captureLogger().logger,
    metrics: { catalogSyncs: counter, catalogApps: gauge, catalogRejected: gauge } as never,
    onApps: (apps) => applied.push(apps.map((a) => a.id)),
    ...(store ? { store } : {}),
  });
  const serve = (version: string, ids: string[]) => {
    next = { status: 'ok', etag: `"${version}"`, catalog: { version, apps: ids.map(app) } };
  };
  return { ...r, sync, sent, applied, serve };
}

describe('CatalogSync with a Redis that does not answer', () => {
  it('finishes every sync without waiting for Redis, and Redis gets the newest catalog once it answers', async () => {
    const t = setup();
    t.serve('1', ['wiki']);
    expect(await t.sync.syncOnce()).toBe('updated');
    t.serve('2', ['wiki', 'git']);
    expect(await t.sync.syncOnce()).toBe('updated');
    t.serve('3', ['wiki', 'git', 'mail']);
    expect(await t.sync.syncOnce()).toBe('updated');
    expect(t.applied).toEqual([['wiki'], ['wiki', 'git'], ['wiki', 'git', 'mail']]);
    // Each sync sent the ETag of the catalog before it, though Redis has none of them.
    expect(t.sent).toEqual([undefined, '"1"', '"2"']);
    expect(t.written).toEqual([]);

    t.state.hang = false;
    t.answer();
    await new Promise((r) => setImmediate(r));
    // The write in flight (version 1) lands, then only the newest: 2 was never sent.
    expect(t.written.map((s) => s.version)).toEqual(['1', '3']);
    await t.sync.stop();
  });

  it('writes the catalog again when Redis is back (it may have come back empty)', async () => {
    const t = setup();
    t.state.hang = false;
    t.serve('1', ['wiki']);
    t.sync.start();
    await waitFor('the first copy', () => t.written.length === 1);
    expect(t.written.map((s) => s.version)).toEqual(['1']);
    t.redis.emit('ready');
    await new Promise((r) => setImmediate(r));
    expect(t.written.map((s) => s.version)).toEqual(['1', '1']);
    await t.sync.stop();
  });
});

describe('CatalogSync stopping', () => {
  it('lets a catalog file write in flight finish before stop() returns, and starts none after', async () => {
    let releaseSave: () => void = () => undefined;
    const saves: string[] = [];
    const file = {
      path: '/data/catalog.json',
      load: async () => undefined,
      save: (_owner: string, s: { snapshot: { version: string } }) =>
        new Promise<void>((resolve) => {
          saves.push(s.snapshot.version);
          releaseSave = () => {
            saves.push(`${s.snapshot.version} written`);
            resolve();
          };
        }),
    } as unknown as CatalogFile;
    const t = setup({ file, owner: () => 'con_1' });
    t.state.hang = false;
    t.serve('1', ['wiki']);
    void t.sync.syncOnce();
    await waitFor('the file write to begin', () => saves.length === 1);
    let stopped = false;
    const stopping = t.sync.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    releaseSave();
    await stopping;
    expect(saves).toEqual(['1', '1 written']);
    // A sync after stop applies nothing to the data directory.
    t.serve('2', ['wiki', 'git']);
    await t.sync.syncOnce();
    expect(saves).toEqual(['1', '1 written']);
  });
});

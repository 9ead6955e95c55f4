import type { Logger } from '@pa-connector/logger';
import { LogField } from '@pa-connector/logger';
import { type CatalogSnapshot, encodeChange, type RedisKeys } from '@pa-connector/redis-contracts';
import type { Redis } from '@pa-connector/service-runtime';
import type { CatalogApp, SseClient } from '@pa-connector/sse-api';
import type { TokenManager } from '../auth/token-manager';
import type { Clock, Random, TimerHandle } from '../clock';
import type { ConnectorMetrics } from '../metrics';
import type { CatalogFile } from './catalog-file';
import { validateCatalog } from './validate-app';

/** Rejected entries logged one line each per catalog version; the rest in one summary line. */
const REJECTIONS_LOGGED = 50;

export type SyncResult = 'updated' | 'not_modified' | 'sse_error' | 'invalid' | 'redis_error';

export interface CatalogSyncOptions {
  client: Pick<SseClient, 'catalog'>;
  tokens: Pick<TokenManager, 'withToken'>;
  redis: Redis;
  keys: RedisKeys;
  clock: Clock;
  random: Random;
  /** Time between syncs (each up to 10 % shorter at random). */
  intervalMs: number;
  logger: Logger;
  metrics: Pick<ConnectorMetrics, 'catalogSyncs' | 'catalogApps' | 'catalogRejected'>;
  /** Called with the apps of every newly validated catalog (the data path follows it). */
  onApps?: (apps: readonly CatalogApp[]) => void;
  /**
   * Where the last good catalog is kept across restarts, and whose it is (the connector id);
   * read once at start and served until the SSE answers.
   */
  store?: { file: CatalogFile; owner: () => string | undefined };
}

/**
 * Keeps the app catalog in Redis in step with the SSE: a conditional GET every interval,
 * validation (bad entries rejected and reported, the rest applied), the snapshot written to
 * `catalog()` and announced on `channel('catalog')`. When the SSE fails or sends garbage the
 * last good catalog stays in place.
 */
export class CatalogSync {
  readonly #o: CatalogSyncOptions;
  #snapshot: CatalogSnapshot<CatalogApp> | undefined;
  /** ETag of the snapshot that is in Redis; only set once Redis has it. */
  #etag: string | undefined;
  #timer: TimerHandle | undefined;
  #stopped = false;
  #inflight: Promise<SyncResult> | undefined;
  #lastResult: SyncResult | undefined;
  /** Version whose rejected entries were logged last (each version's are logged once). */
  #loggedVersion: string | undefined;
  readonly #onReady = () => void this.republish();

  constructor(o: CatalogSyncOptions) {
    this.#o = o;
  }

  get snapshot(): CatalogSnapshot<CatalogApp> | undefined {
    return this.#snapshot;
  }

  get lastResult(): SyncResult | undefined {
    return this.#lastResult;
  }

  start(): void {
    this.#o.redis.on('ready', this.#onReady);
    void this.#restore().finally(() => this.#tick());
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#o.redis.off('ready', this.#onReady);
  }

  /** One sync; concurrent calls share it. Never throws. */
  syncOnce(): Promise<SyncResult> {
    if (!this.#inflight) {
      this.#inflight = this.#sync().finally(() => {
        this.#inflight = undefined;
      });
    }
    return this.#inflight;
  }

  /** Writes the last good catalog again (Redis came back, possibly empty). */
  async republish(): Promise<void> {
    if (!this.#snapshot) return;
    try {
      await this.#publish(this.#snapshot);
    } catch {
      // Redis went away again; the next 'ready' brings us back here.
    }
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.syncOnce();
    } catch (err) {
      // A sync that threw is that sync's failure: the next one runs on schedule.
      this.#o.logger.error({ err }, 'catalog sync failed');
    }
    if (this.#stopped) return;
    const delay = Math.round(this.#o.intervalMs * (1 - 0.1 * this.#o.random()));
    this.#timer = this.#o.clock.setTimer(() => void this.#tick(), delay);
  }

  async #sync(): Promise<SyncResult> {
    const r = await this.#fetchAndApply();
    this.#lastResult = r;
    this.#o.metrics.catalogSyncs.inc({ result: r });
    return r;
  }

  async #fetchAndApply(): Promise<SyncResult> {
    const log = this.#o.logger;
    let res: Awaited<ReturnType<SseClient['catalog']>>;
    try {
      res = await this.#o.tokens.withToken((t) =>
        this.#o.client.catalog(t, this.#etag ? { etag: this.#etag } : {}),
      );
    } catch (err) {
      const invalid = (err as { code?: string }).code === 'bad_response';
      log.warn(
        { [LogField.code]: (err as { code?: string }).code, reason: (err as Error).message },
        'catalog sync failed; keeping the last good catalog',
      );
      return invalid ? 'invalid' : 'sse_error';
    }
    if (res.status === 'not-modified') return 'not_modified';

    const { apps, rejected } = validateCatalog(res.catalog.apps);
    const snapshot: CatalogSnapshot<CatalogApp> = {
      version: res.catalog.version,
      syncedAt: new Date(this.#o.clock.now()).toISOString(),
      apps,
      rejected,
    };
    this.#logRejected(snapshot);
    this.#apply(snapshot);
    await this.#save(res.etag, snapshot);
    try {
      await this.#publish(snapshot);
    } catch (err) {
      // Without the ETag the next sync downloads the catalog again and retries the write.
      this.#etag = undefined;
      log.warn({ reason: (err as Error).message }, 'could not write the catalog to Redis');
      return 'redis_error';
    }
    this.#etag = res.etag;
    log.info(
      { catalogVersion: snapshot.version, apps: apps.length, rejected: rejected.length },
      'catalog updated',
    );
    return 'updated';
  }

  #apply(snapshot: CatalogSnapshot<CatalogApp>): void {
    this.#snapshot = snapshot;
    this.#o.onApps?.(snapshot.apps);
    this.#o.metrics.catalogApps.set(snapshot.apps.length);
    this.#o.metrics.catalogRejected.set(snapshot.rejected.length);
  }

  #logRejected(s: CatalogSnapshot<CatalogApp>): void {
    if (s.version === this.#loggedVersion) return;
    this.#loggedVersion = s.version;
    for (const r of s.rejected.slice(0, REJECTIONS_LOGGED)) {
      this.#o.logger.warn(
        { index: r.index, [LogField.app]: r.id, reason: r.reason },
        'catalog entry rejected',
      );
    }
    if (s.rejected.length > REJECTIONS_LOGGED) {
      this.#o.logger.warn(
        { catalogVersion: s.version, more: s.rejected.length - REJECTIONS_LOGGED },
        'more catalog entries rejected (all are in the catalog snapshot in Redis)',
      );
    }
  }

  /** The last good catalog from the data directory, served until the SSE answers. */
  async #restore(): Promise<void> {
    const store = this.#o.store;
    const owner = store?.owner();
    if (!store || !owner || this.#snapshot) return;
    try {
      const stored = await store.file.load(owner);
      if (!stored || this.#snapshot || this.#stopped) return;
      this.#apply(stored.snapshot);
      this.#o.logger.info(
        {
          catalogVersion: stored.snapshot.version,
          apps: stored.snapshot.apps.length,
          syncedAt: stored.snapshot.syncedAt,
        },
        'serving the stored catalog until the SSE answers',
      );
      // The first sync does not wait for Redis. Once Redis has the stored catalog (and nothing
      // newer came meanwhile) its ETag is sent: an unchanged catalog is then a 304.
      void this.#publish(stored.snapshot).then(
        () => {
          if (this.#snapshot === stored.snapshot && this.#etag === undefined) {
            this.#etag = stored.etag;
          }
        },
        () => undefined,
      );
    } catch (err) {
      this.#o.logger.warn(
        { reason: (err as Error).message },
        'could not restore the stored catalog completely',
      );
    }
  }

  async #save(etag: string | undefined, snapshot: CatalogSnapshot<CatalogApp>): Promise<void> {
    const store = this.#o.store;
    const owner = store?.owner();
    if (!store || !owner) return;
    try {
      await store.file.save(owner, { etag, snapshot });
    } catch (err) {
      this.#o.logger.warn(
        { path: store.file.path, reason: (err as Error).message },
        'could not store the catalog; a restart during an SSE outage would start without it',
      );
    }
  }

  async #publish(s: CatalogSnapshot<CatalogApp>): Promise<void> {
    const k = this.#o.keys;
    await this.#o.redis
      .multi()
      .set(k.catalog(), JSON.stringify(s))
      .publish(k.channel('catalog'), encodeChange({ topic: 'catalog', at: s.syncedAt }))
      .exec();
  }
}

import type { Logger } from '@pa-connector/logger';
import { LogField } from '@pa-connector/logger';
import { type CatalogSnapshot, encodeChange, type RedisKeys } from '@pa-connector/redis-contracts';
import { BestEffortWriter, type Redis } from '@pa-connector/service-runtime';
import type { CatalogApp, SseClient } from '@pa-connector/sse-api';
import type { TokenManager } from '../auth/token-manager';
import type { Clock, Random, TimerHandle } from '../clock';
import type { ConnectorMetrics } from '../metrics';
import type { CatalogFile } from './catalog-file';
import { validateCatalog } from './validate-app';

/** Rejected entries logged one line each per catalog version; the rest in one summary line. */
const REJECTIONS_LOGGED = 50;

export type SyncResult = 'updated' | 'not_modified' | 'sse_error' | 'invalid';

/** The writer's key of the catalog copy: one key, so only the newest catalog waits. */
const CATALOG_WRITE = 'catalog';

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
 * Keeps the app catalog in step with the SSE: a conditional GET every interval, validation (bad
 * entries rejected and reported, the rest applied), the snapshot handed to the data path and
 * stored in the data directory, then copied to `catalog()` in Redis and announced on
 * `channel('catalog')`. When the SSE fails or sends garbage the last good catalog stays in place.
 *
 * A sync never waits on Redis: the copy goes through a best-effort writer that keeps only the
 * newest catalog and retries until Redis takes it, so a hung Redis delays the copy, never the
 * next catalog version.
 */
export class CatalogSync {
  readonly #o: CatalogSyncOptions;
  #snapshot: CatalogSnapshot<CatalogApp> | undefined;
  /**
   * ETag of the snapshot in use. Set as soon as it is applied: its copy in Redis is the writer's
   * to deliver, so a 304 never leaves Redis without it.
   */
  #etag: string | undefined;
  readonly #writer: BestEffortWriter;
  #timer: TimerHandle | undefined;
  #stopped = false;
  #inflight: Promise<SyncResult> | undefined;
  #restoring: Promise<void> | undefined;
  #lastResult: SyncResult | undefined;
  /** Version whose rejected entries were logged last (each version's are logged once). */
  #loggedVersion: string | undefined;
  readonly #onReady = () => this.republish();

  constructor(o: CatalogSyncOptions) {
    this.#o = o;
    this.#writer = new BestEffortWriter({
      client: o.redis,
      logger: o.logger,
      what: 'the catalog',
      maxPending: 1,
      clock: o.clock,
    });
  }

  get snapshot(): CatalogSnapshot<CatalogApp> | undefined {
    return this.#snapshot;
  }

  get lastResult(): SyncResult | undefined {
    return this.#lastResult;
  }

  start(): void {
    this.#o.redis.on('ready', this.#onReady);
    this.#restoring = this.#restore();
    void this.#restoring.finally(() => {
      this.#restoring = undefined;
      void this.#tick();
    });
  }

  /**
   * Stops syncing. A sync or restore in flight may be writing the catalog file: it gets up to
   * `timeoutMs` to finish, so nothing writes into the data directory once stop() has returned
   * (a later save is skipped). Then waits up to `timeoutMs` for the copy in Redis.
   */
  async stop(timeoutMs = 1_000): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#o.redis.off('ready', this.#onReady);
    await this.#settled([this.#restoring, this.#inflight], timeoutMs);
    await this.#writer.close(timeoutMs);
  }

  /** Resolves when every promise has settled, or after `timeoutMs`, whichever comes first. */
  #settled(work: Array<Promise<unknown> | undefined>, timeoutMs: number): Promise<void> {
    const pending = work.filter((p): p is Promise<unknown> => p !== undefined);
    if (pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.#o.clock.setTimer(resolve, timeoutMs);
      void Promise.allSettled(pending).then(() => {
        timer.cancel();
        resolve();
      });
    });
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

  /** Writes the last good catalog again (Redis came back, possibly empty). Never waits. */
  republish(): void {
    if (this.#snapshot) this.#publish();
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
    this.#etag = res.etag;
    this.#publish();
    await this.#save(res.etag, snapshot);
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
      // An unchanged catalog is then a 304; Redis gets the stored copy from the writer.
      this.#etag = stored.etag;
      this.#publish();
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
    if (!store || !owner || this.#stopped) return;
    try {
      await store.file.save(owner, { etag, snapshot });
    } catch (err) {
      this.#o.logger.warn(
        { path: store.file.path, reason: (err as Error).message },
        'could not store the catalog; a restart during an SSE outage would start without it',
      );
    }
  }

  /** Queues the copy of the catalog in use for Redis; the write takes the newest when it runs. */
  #publish(): void {
    this.#writer.submit(CATALOG_WRITE, async () => {
      const s = this.#snapshot;
      if (!s) return;
      const k = this.#o.keys;
      await this.#o.redis
        .multi()
        .set(k.catalog(), JSON.stringify(s))
        .publish(k.channel('catalog'), encodeChange({ topic: 'catalog', at: s.syncedAt }))
        .exec();
    });
  }
}

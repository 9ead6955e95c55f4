import type { Logger } from '@pa-connector/logger';
import { LogField } from '@pa-connector/logger';
import { type CatalogSnapshot, encodeChange, type RedisKeys } from '@pa-connector/redis-contracts';
import type { Redis } from '@pa-connector/service-runtime';
import type { CatalogApp, SseClient } from '@pa-connector/sse-api';
import type { TokenManager } from '../auth/token-manager';
import type { Clock, Random, TimerHandle } from '../clock';
import type { ConnectorMetrics } from '../metrics';
import { validateCatalog } from './validate-app';

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
    void this.#tick();
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
    await this.syncOnce();
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
    for (const r of rejected) {
      log.warn(
        { index: r.index, [LogField.app]: r.id, reason: r.reason },
        'catalog entry rejected',
      );
    }
    this.#snapshot = snapshot;
    this.#o.onApps?.(apps);
    this.#o.metrics.catalogApps.set(apps.length);
    this.#o.metrics.catalogRejected.set(rejected.length);
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

  async #publish(s: CatalogSnapshot<CatalogApp>): Promise<void> {
    const k = this.#o.keys;
    await this.#o.redis
      .multi()
      .set(k.catalog(), JSON.stringify(s))
      .publish(k.channel('catalog'), encodeChange({ topic: 'catalog', at: s.syncedAt }))
      .exec();
  }
}

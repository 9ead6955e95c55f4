import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import type { RedisKeys } from '@pa-connector/redis-contracts';
import type { ReadinessCheck, Redis } from '@pa-connector/service-runtime';
import type { TunnelView } from '../edge/tunnel-view';
import { TunnelRedisSink, worthAnnouncing } from './redis-sink';
import { recordTunnel, type TunnelMetrics, tunnelMetrics } from './tunnel-metrics';
import { tunnelsCheck } from './tunnel-readiness';
import { TunnelTable } from './tunnel-table';

export interface TunnelObserverOptions {
  redis: Redis;
  keys: RedisKeys;
  registry: Registry;
  logger: Logger;
}

/**
 * Fans every tunnel change out to its sinks: the table readiness reads, the metrics, and Redis
 * (hash + change announcement). Feed it with `observe(view)` (e.g. from the supervisor's
 * `tunnel` event).
 */
export class TunnelObserver {
  readonly table = new TunnelTable();
  readonly check: ReadinessCheck;
  readonly #metrics: TunnelMetrics;
  readonly #sink: TunnelRedisSink;
  readonly #redis: Redis;
  readonly #onReady = () => this.#sink.resync(this.table.list());

  constructor(o: TunnelObserverOptions) {
    this.#metrics = tunnelMetrics(o.registry);
    this.#sink = new TunnelRedisSink(o.redis, o.keys, o.logger);
    this.#redis = o.redis;
    this.check = tunnelsCheck(this.table);
    o.redis.on('ready', this.#onReady);
  }

  observe(view: TunnelView): void {
    const before = this.table.update(view);
    recordTunnel(this.#metrics, before, view);
    this.#sink.write(view, worthAnnouncing(before, view));
  }

  /** Stops listening to Redis and waits (a bounded time) for pending writes. */
  async close(): Promise<void> {
    this.#redis.off('ready', this.#onReady);
    await this.#sink.close();
  }
}

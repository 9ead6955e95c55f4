import {
  type AppHealth,
  decodeAppHealth,
  decodeCatalogSnapshot,
  decodeTunnelState,
  POP_SERVICE_NAMES,
  type RedisKeys,
  type ServiceHealth,
  type TunnelState,
} from '@pa-connector/redis-contracts';
import type Redis from 'ioredis';
import { appViews } from '../apps/app-view';
import { readNewLogEntries } from '../errors/log-stream-reader';
import type { RecentErrors } from '../errors/recent-errors';
import type { HostMetricsSampler } from '../host/host-metrics';
import {
  type ServiceHealthOptions,
  serviceHealth,
  unknownService,
} from '../services/service-health';
import type { CollectedStatus } from './pop-status';

export interface StatusCollectorOptions {
  redis: Redis;
  keys: RedisKeys;
  hostname: string;
  version: string;
  host: Pick<HostMetricsSampler, 'sample'>;
  recentErrors: RecentErrors;
  /** Newest log stream entries read per collection, at most. */
  errorScanEntries: number;
  health: ServiceHealthOptions;
  now: () => number;
}

interface RedisState {
  services: ServiceHealth[];
  tunnels: TunnelState[];
  apps: ReturnType<typeof appViews>;
  update?: Record<string, string>;
}

/**
 * Reads everything the POP status holds: heartbeats, tunnels, app health and the catalog from
 * Redis in one round trip, new error lines from the log stream, host metrics from /proc. A part
 * that cannot be read is reported in `collectErrors`; the rest is still returned.
 */
export class StatusCollector {
  readonly #o: StatusCollectorOptions;
  #errorsRead: Promise<void> | undefined;

  constructor(o: StatusCollectorOptions) {
    this.#o = o;
  }

  async collect(): Promise<CollectedStatus> {
    const collectErrors: string[] = [];
    const [state, host] = await Promise.all([
      this.#readRedis().catch((err: Error): RedisState => {
        collectErrors.push(`redis: ${err.message}`);
        return {
          services: POP_SERVICE_NAMES.map((n) => unknownService(n, err.message)),
          tunnels: [],
          apps: [],
        };
      }),
      this.#o.host.sample(),
      this.#readErrors().catch((err: Error) => {
        collectErrors.push(`log stream: ${err.message}`);
      }),
    ]);
    collectErrors.push(...host.errors.map((e) => `host ${e}`));
    return {
      hostname: this.#o.hostname,
      reportedAt: new Date(this.#o.now()).toISOString(),
      version: this.#o.version,
      services: state.services,
      tunnels: state.tunnels,
      apps: state.apps,
      host,
      recentErrors: this.#o.recentErrors.list(),
      ...(state.update ? { update: state.update } : {}),
      collectErrors,
    };
  }

  async #readRedis(): Promise<RedisState> {
    const { redis, keys } = this.#o;
    const p = redis.pipeline();
    for (const name of POP_SERVICE_NAMES)
      p.hgetall(keys.heartbeat(name)).pttl(keys.heartbeat(name));
    p.hgetall(keys.tunnels())
      .hgetall(keys.appHealth())
      .get(keys.catalog())
      .hgetall(keys.updateStatus());
    const replies = (await p.exec()) ?? [];
    const value = (i: number): unknown => {
      const r = replies[i];
      if (!r) throw new Error('Redis returned fewer replies than asked');
      if (r[0]) throw r[0];
      return r[1];
    };
    const now = this.#o.now();
    const services = POP_SERVICE_NAMES.map((name, i) =>
      serviceHealth(
        name,
        value(i * 2) as Record<string, string>,
        value(i * 2 + 1) as number,
        now,
        this.#o.health,
      ),
    );
    let i = POP_SERVICE_NAMES.length * 2;
    const tunnels = Object.values(value(i++) as Record<string, string>)
      .map(decodeTunnelState)
      .filter((t): t is TunnelState => t !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
    const health = Object.values(value(i++) as Record<string, string>)
      .map(decodeAppHealth)
      .filter((a): a is AppHealth => a !== undefined);
    const catalogText = value(i++) as string | null;
    const update = value(i++) as Record<string, string>;
    return {
      services,
      tunnels,
      apps: appViews(catalogText ? decodeCatalogSnapshot(catalogText) : undefined, health),
      ...(Object.keys(update).length > 0 ? { update } : {}),
    };
  }

  /** One read at a time: concurrent collections (timer and /status) share it. */
  #readErrors(): Promise<void> {
    this.#errorsRead ??= this.#readNewErrors().finally(() => {
      this.#errorsRead = undefined;
    });
    return this.#errorsRead;
  }

  async #readNewErrors(): Promise<void> {
    const { redis, keys, recentErrors } = this.#o;
    const { entries, newestId } = await readNewLogEntries(
      redis,
      keys.logs(),
      recentErrors.lastId,
      this.#o.errorScanEntries,
    );
    recentErrors.add(entries, newestId);
  }
}

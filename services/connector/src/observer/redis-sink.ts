import type { Logger } from '@pa-connector/logger';
import {
  encodeChange,
  encodeTunnelState,
  type RedisKeys,
  type TunnelState,
} from '@pa-connector/redis-contracts';
import type { Redis } from '@pa-connector/service-runtime';
import type { TunnelView } from '../edge/tunnel-view';

/** The part of a view other services read (the `TunnelState` contract). */
export function tunnelState(v: TunnelView): TunnelState {
  return {
    name: v.name,
    gateway: v.gateway,
    remote: v.remote,
    phase: v.phase,
    since: v.since,
    ...(v.localAddress ? { localAddress: v.localAddress } : {}),
    ...(v.remoteAddress ? { remoteAddress: v.remoteAddress } : {}),
    reconnects: v.reconnects,
    bytesIn: v.bytesIn,
    bytesOut: v.bytesOut,
    ...(v.lastError ? { lastError: v.lastError } : {}),
  };
}

/** Does anyone need to be told (beyond byte counts, which are only stored)? */
export function worthAnnouncing(before: TunnelView | undefined, v: TunnelView): boolean {
  return (
    !before ||
    before.phase !== v.phase ||
    before.localAddress !== v.localAddress ||
    before.remoteAddress !== v.remoteAddress ||
    before.lastError !== v.lastError
  );
}

/**
 * Writes tunnel states to the `tunnels()` hash and announces changes on `channel('tunnels')`.
 * Writes are serialized (the hash never goes back in time); when Redis was unavailable the
 * whole table is written again once it is back.
 */
export class TunnelRedisSink {
  #chain: Promise<void> = Promise.resolve();
  #failed = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly log: Logger,
  ) {}

  write(v: TunnelView, announce: boolean): Promise<void> {
    const state = tunnelState(v);
    this.#chain = this.#chain.then(async () => {
      try {
        await this.redis.hset(this.keys.tunnels(), state.name, encodeTunnelState(state));
        if (announce) {
          await this.redis.publish(
            this.keys.channel('tunnels'),
            encodeChange({ topic: 'tunnels', id: state.name, at: new Date().toISOString() }),
          );
        }
        this.#failed = false;
      } catch (err) {
        if (!this.#failed) {
          this.log.warn({ reason: (err as Error).message }, 'tunnel state not written to Redis');
        }
        this.#failed = true;
      }
    });
    return this.#chain;
  }

  /** Writes every view again (after Redis came back). */
  resync(views: readonly TunnelView[]): Promise<void> {
    for (const v of views) void this.write(v, true);
    return this.#chain;
  }

  /** Resolves when every write so far has finished. */
  idle(): Promise<void> {
    return this.#chain;
  }
}

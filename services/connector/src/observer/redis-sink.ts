import type { Logger } from '@pa-connector/logger';
import {
  encodeChange,
  encodeTunnelState,
  type RedisKeys,
  type TunnelState,
} from '@pa-connector/redis-contracts';
import { BestEffortWriter, type Redis } from '@pa-connector/service-runtime';
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
 * Tunnel supervision never waits on it: writes are queued per tunnel (only the newest state of a
 * tunnel waits, so the hash never goes back in time and a hung Redis costs one entry per tunnel),
 * and when Redis was unavailable the whole table is written again once it is back.
 */
export class TunnelRedisSink {
  readonly #writer: BestEffortWriter;
  /** Tunnels whose change is still to be announced. */
  readonly #announce = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    log: Logger,
  ) {
    this.#writer = new BestEffortWriter({ client: redis, logger: log, what: 'tunnel state' });
  }

  write(v: TunnelView, announce: boolean): void {
    const state = tunnelState(v);
    if (announce) this.#announce.add(state.name);
    this.#writer.submit(state.name, async () => {
      const m = this.redis.multi().hset(this.keys.tunnels(), state.name, encodeTunnelState(state));
      const announcing = this.#announce.delete(state.name);
      if (announcing) {
        m.publish(
          this.keys.channel('tunnels'),
          encodeChange({ topic: 'tunnels', id: state.name, at: new Date().toISOString() }),
        );
      }
      try {
        await m.exec();
      } catch (err) {
        if (announcing) this.#announce.add(state.name);
        throw err;
      }
    });
  }

  /** Writes every view again (after Redis came back). */
  resync(views: readonly TunnelView[]): void {
    for (const v of views) this.write(v, true);
  }

  /** Waits up to `timeoutMs` for queued writes, then stops. */
  close(timeoutMs = 1_000): Promise<void> {
    return this.#writer.close(timeoutMs);
  }
}

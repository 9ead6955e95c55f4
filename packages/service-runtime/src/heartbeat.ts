import { encodeHeartbeat, type Heartbeat, type RedisKeys } from '@pa-connector/redis-contracts';
import type Redis from 'ioredis';
import { repeatEvery, systemClock } from './clock';

export interface HeartbeatOptions {
  redis: Redis;
  keys: RedisKeys;
  service: string;
  version: string;
  host: string;
  intervalMs: number;
  status: () => Heartbeat['status'];
  now?: () => Date;
}

export interface HeartbeatHandle {
  /** Writes one beat now (also called by the timer). Never throws: Redis may be down. */
  beat(): Promise<boolean>;
  /** Stops the timer and writes a last beat with status `stopping`. */
  stop(): Promise<void>;
}

/**
 * The service's heartbeat: a hash `heartbeat(service)` with a TTL of three intervals, so a
 * service that stops beating disappears and pop-manager can call it stale, then down.
 */
export function startHeartbeat(o: HeartbeatOptions): HeartbeatHandle {
  const now = o.now ?? (() => new Date());
  const started = now().toISOString();
  const key = o.keys.heartbeat(o.service);
  const ttlMs = o.intervalMs * 3;
  let stopping = false;
  const write = async (status: Heartbeat['status']): Promise<boolean> => {
    const beat: Heartbeat = {
      service: o.service,
      version: o.version,
      started,
      updated: now().toISOString(),
      status,
      pid: process.pid,
      host: o.host,
    };
    try {
      await o.redis.multi().hset(key, encodeHeartbeat(beat)).pexpire(key, ttlMs).exec();
      return true;
    } catch {
      return false;
    }
  };
  // A beat that has not answered yet (Redis hangs; each command has a deadline) is not joined by
  // another one: beats never pile up, whatever the interval.
  let inflight = false;
  const tick = () => {
    if (inflight) return;
    inflight = true;
    void write(o.status()).finally(() => {
      inflight = false;
    });
  };
  const timer = repeatEvery(systemClock, tick, o.intervalMs);
  const onReady = tick;
  o.redis.on('ready', onReady);
  tick();
  return {
    beat: () => write(stopping ? 'stopping' : o.status()),
    async stop() {
      stopping = true;
      timer.cancel();
      o.redis.off('ready', onReady);
      await write('stopping');
    },
  };
}

import { decodeHeartbeat, type ServiceHealth } from '@pa-connector/redis-contracts';

/** service-runtime's heartbeat expires after this many intervals without a beat. */
const HEARTBEAT_TTL_BEATS = 3;

export interface ServiceHealthOptions {
  /** Stale after this many intervals without a beat (below HEARTBEAT_TTL_BEATS). */
  staleBeats: number;
  /** Used when the heartbeat has no TTL to read the interval from. */
  fallbackIntervalMs: number;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/**
 * One service's health from its heartbeat hash and the hash's remaining TTL (PTTL), at `now`.
 * Services beat at their own interval; each beat sets the TTL to three intervals, so
 * interval = (remaining TTL + age of the beat) / 3 without any shared setting.
 */
export function serviceHealth(
  name: string,
  hash: Record<string, string> | undefined,
  pttlMs: number,
  nowMs: number,
  o: ServiceHealthOptions,
): ServiceHealth {
  const beat = hash ? decodeHeartbeat(hash) : undefined;
  if (!beat) {
    return {
      name,
      status: 'down',
      reason:
        hash && Object.keys(hash).length > 0
          ? 'its heartbeat in Redis is not readable'
          : 'no heartbeat (never started, or silent for longer than its heartbeat TTL)',
    };
  }
  const updatedMs = Date.parse(beat.updated);
  const ageMs = Number.isNaN(updatedMs) ? 0 : Math.max(0, nowMs - updatedMs);
  // The beat's time is taken a moment before its TTL is set: round that moment away.
  const intervalMs =
    pttlMs > 0
      ? Math.round((pttlMs + ageMs) / HEARTBEAT_TTL_BEATS / 10) * 10
      : o.fallbackIntervalMs;
  const base: ServiceHealth = {
    name,
    status: 'up',
    state: beat.status,
    version: beat.version,
    started: beat.started,
    updated: beat.updated,
    pid: beat.pid,
    host: beat.host,
    ageMs,
    intervalMs,
  };
  if (beat.status === 'stopping') {
    return { ...base, status: 'stale', reason: 'it said it is stopping' };
  }
  if (ageMs > intervalMs * o.staleBeats) {
    return {
      ...base,
      status: 'stale',
      reason: `no heartbeat for ${seconds(ageMs)} (it beats every ${seconds(intervalMs)})`,
    };
  }
  return base;
}

/** Every service as unknown: Redis could not be read. */
export function unknownService(name: string, why: string): ServiceHealth {
  return { name, status: 'unknown', reason: `Redis unreachable: ${why}` };
}

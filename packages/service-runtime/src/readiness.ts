import type Redis from 'ioredis';
import type { ReadyAnswer } from './probe-contracts';

/** One thing a service needs before it is ready. Checks read tracked state; they do no I/O. */
export interface ReadinessCheck {
  name: string;
  check(): boolean;
  detail?(): unknown;
}

/** What `/ready` answers, without the service's name. */
export type ReadinessReport = Omit<ReadyAnswer, 'service'>;

/** Ready when every check passes: a pure function of the checks' state. */
export function readiness(checks: readonly ReadinessCheck[]): ReadinessReport {
  const out: ReadinessReport['checks'] = {};
  let ready = true;
  for (const c of checks) {
    const ok = c.check();
    ready &&= ok;
    const detail = c.detail?.();
    out[c.name] = detail === undefined ? { ok } : { ok, detail };
  }
  return { ready, checks: out };
}

/** Redis counts as up while the client is connected and ready. */
export function redisReadiness(redis: Redis): ReadinessCheck {
  return {
    name: 'redis',
    check: () => redis.status === 'ready',
    detail: () => ({ status: redis.status }),
  };
}

import type { Logger } from '@pa-connector/logger';
import Redis from 'ioredis';
import type { CommonConfig } from './common-settings';

/**
 * A Redis client that never takes the service down: it reconnects forever (capped delay), logs
 * state changes once rather than every attempt, and fails commands fast while disconnected.
 */
export function createRedis(
  config: Pick<CommonConfig, 'redisUrl' | 'redisPassword'>,
  logger: Logger,
): Redis {
  const log = logger.child({ component: 'redis' });
  const redis = new Redis(config.redisUrl.href, {
    password: config.redisPassword?.reveal(),
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
  });
  let down = false;
  redis.on('ready', () => {
    if (down) log.info('Redis reachable again');
    down = false;
  });
  redis.on('error', (err: Error) => {
    if (!down) log.warn({ err: { message: err.message } }, 'Redis unreachable; retrying');
    down = true;
  });
  redis.connect().catch(() => {
    // the error handler logged it; retryStrategy keeps trying
  });
  return redis;
}

export type { Redis };

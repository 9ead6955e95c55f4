import type { Secret } from '@pa-connector/config';
import {
  createLogger,
  type Logger,
  type LogShippingConfig,
  SecretValues,
} from '@pa-connector/logger';
import { createRegistry, type Registry } from '@pa-connector/metrics';
import { RedisKeys } from '@pa-connector/redis-contracts';
import type { FastifyInstance } from 'fastify';
import type { CommonConfig } from './common-settings';
import { type HeartbeatHandle, startHeartbeat } from './heartbeat';
import { logShippingSink, registerLogShippingMetrics } from './log-shipping';
import { type ReadinessCheck, readiness } from './readiness';
import { createRedis, type Redis } from './redis-client';
import { PA_VERSION } from './version';

export type MemberConfig = CommonConfig & LogShippingConfig;

/** What every POP service starts with, in the same order everywhere. */
export interface MemberBase {
  logger: Logger;
  registry: Registry;
  redis: Redis;
  keys: RedisKeys;
  secrets: SecretValues;
  /**
   * Listens, logs `listening` with `fields`, and starts the heartbeat (ready / not-ready from
   * `checks`). If listening fails, Redis is disconnected and the error thrown.
   */
  listen(
    app: FastifyInstance,
    checks: readonly ReadinessCheck[],
    fields?: Record<string, unknown>,
  ): Promise<HeartbeatHandle>;
  /** Flushes shipped log lines and closes Redis: the last step of close(). */
  shutdown(): Promise<void>;
}

/**
 * The logger (scrubbing `secrets` and the Redis password, shipping to the Redis log stream when
 * PA_LOG_TO_REDIS is on), the service's metrics registry, the Redis client and its key builder.
 */
export function startMemberBase(
  service: string,
  config: MemberConfig,
  secrets: readonly (Secret | undefined)[] = [],
): MemberBase {
  const values = new SecretValues();
  values.add(config.redisPassword?.reveal());
  for (const s of secrets) values.add(s?.reveal());
  const keys = new RedisKeys(config.redisPrefix);
  const shipping = logShippingSink(config, service);
  const logger = createLogger({
    service,
    level: config.logLevel,
    version: PA_VERSION,
    secrets: values,
    ...(shipping ? { logStream: shipping } : {}),
  });
  const registry = createRegistry(service);
  const redis = createRedis(config, logger);
  if (shipping) {
    shipping.attach(redis, keys.logs(), (id) => keys.logProducer(id));
    registerLogShippingMetrics(registry, service, shipping);
  }
  return {
    logger,
    registry,
    redis,
    keys,
    secrets: values,
    async listen(app, checks, fields = {}) {
      try {
        await app.listen({ host: config.httpHost, port: config.httpPort });
      } catch (err) {
        redis.disconnect();
        throw err;
      }
      logger.info({ host: config.httpHost, port: config.httpPort, ...fields }, 'listening');
      return startHeartbeat({
        redis,
        keys,
        service,
        version: PA_VERSION,
        host: config.hostname,
        intervalMs: config.heartbeatInterval,
        status: () => (readiness(checks).ready ? 'ready' : 'not-ready'),
      });
    },
    async shutdown() {
      await shipping?.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

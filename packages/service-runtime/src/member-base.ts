import {
  type CreateLoggerOptions,
  createLogger,
  type Logger,
  type LogShippingConfig,
  SecretValues,
} from '@pa-connector/logger';
import { createRegistry, type Registry } from '@pa-connector/metrics';
import { type Heartbeat, RedisKeys } from '@pa-connector/redis-contracts';
import type { FastifyInstance } from 'fastify';
import type { CommonConfig } from './common-settings';
import { type HeartbeatHandle, startHeartbeat } from './heartbeat';
import { logShippingSink, registerLogShippingMetrics } from './log-shipping';
import { type ReadinessCheck, readiness } from './readiness';
import { createRedis, type Redis } from './redis-client';
import { PA_VERSION } from './version';

export type MemberConfig = CommonConfig & LogShippingConfig;

export interface MemberBaseOptions {
  /**
   * Registers the service's secret values with the logger's scrubber before its first line (the
   * Redis password is registered already).
   */
  secrets?: (values: SecretValues) => void;
  /** Where the log lines go besides the Redis stream: stdout unless a test captures them. */
  destination?: CreateLoggerOptions['destination'];
}

export interface ListenOptions {
  /** What /ready reports; the heartbeat says `ready` when they all pass, else `not-ready`. */
  checks: readonly ReadinessCheck[];
  /** Logged on the `listening` line besides the address. */
  fields?: Record<string, unknown>;
  /** The heartbeat's status when the service judges it itself (instead of the checks). */
  heartbeatStatus?: () => Heartbeat['status'];
}

export interface Listening {
  heartbeat: HeartbeatHandle;
  /** The address the listener is bound to (the port the system chose when given 0). */
  address: { host: string; port: number };
}

/** What every POP service starts with, in the same order everywhere. */
export interface MemberBase {
  logger: Logger;
  registry: Registry;
  redis: Redis;
  keys: RedisKeys;
  secrets: SecretValues;
  /**
   * Listens, logs `listening` with the bound address and `fields`, and starts the heartbeat. If
   * listening fails, `app` is closed, Redis disconnected and the error thrown.
   */
  listen(app: FastifyInstance, o: ListenOptions): Promise<Listening>;
  /** Flushes shipped log lines and closes Redis: the last step of close(). */
  shutdown(): Promise<void>;
}

/**
 * The logger (scrubbing the service's secrets and the Redis password, shipping to the Redis log
 * stream when PA_LOG_TO_REDIS is on), the service's metrics registry, the Redis client and its
 * key builder.
 */
export function startMemberBase(
  service: string,
  config: MemberConfig,
  o: MemberBaseOptions = {},
): MemberBase {
  // Assigned below: the scrubber exists before the logger that reports on it.
  let logger: Logger | undefined;
  const values = new SecretValues([], {
    onOverflow: (held) =>
      logger?.warn(
        { held },
        'more secret values registered than the scrubber holds; the oldest are dropped',
      ),
  });
  values.add(config.redisPassword?.reveal());
  o.secrets?.(values);
  const keys = new RedisKeys(config.redisPrefix);
  const shipping = logShippingSink(config, service);
  const log = createLogger({
    service,
    level: config.logLevel,
    version: PA_VERSION,
    secrets: values,
    ...(o.destination ? { destination: o.destination } : {}),
    ...(shipping ? { logStream: shipping } : {}),
  });
  logger = log;
  const registry = createRegistry(service);
  const redis = createRedis(config, log);
  if (shipping) {
    shipping.attach(redis, keys.logs(), (id) => keys.logProducer(id));
    registerLogShippingMetrics(registry, service, shipping);
  }
  return {
    logger: log,
    registry,
    redis,
    keys,
    secrets: values,
    async listen(app, l) {
      try {
        await app.listen({ host: config.httpHost, port: config.httpPort });
      } catch (err) {
        await app.close().catch(() => undefined);
        redis.disconnect();
        throw err;
      }
      const bound = app.server.address();
      const address =
        typeof bound === 'object' && bound
          ? { host: bound.address, port: bound.port }
          : { host: config.httpHost, port: config.httpPort };
      log.info({ ...address, ...l.fields }, 'listening');
      const checks = l.checks;
      const heartbeat = startHeartbeat({
        redis,
        keys,
        service,
        version: PA_VERSION,
        host: config.hostname,
        intervalMs: config.heartbeatInterval,
        status: l.heartbeatStatus ?? (() => (readiness(checks).ready ? 'ready' : 'not-ready')),
      });
      return { heartbeat, address };
    },
    async shutdown() {
      await shipping?.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

import type { Logger } from '@pa-connector/logger';
import Redis, { ReplyError } from 'ioredis';
import { type Clock, repeatEvery, systemClock, type TimerHandle } from './clock';
import type { CommonConfig } from './common-settings';
import { REDIS_DEFAULTS } from './redis-defaults';
import { backoffStep } from './retry/backoff';

const REDIS_MAX_LISTENERS = 32;

/**
 * Waits between reconnects (ioredis counts attempts from 1): 200 ms doubling to 5 s, no jitter,
 * as the server is local and one client per process.
 */
const RECONNECT_BACKOFF = { initialMs: 200, maxMs: 5_000 };

export type RedisClientConfig = Pick<CommonConfig, 'redisUrl'> &
  Partial<Pick<CommonConfig, 'redisPassword' | 'redisCommandTimeout' | 'redisConnectTimeout'>>;

/**
 * A Redis client that never takes the service down and never makes it wait without a deadline:
 * it reconnects forever (capped delay), logs state changes once rather than every attempt, fails
 * commands fast while disconnected, gives every command `redisCommandTimeout` to answer, and
 * drops a connection that stopped answering (see `watchResponsiveness`, on `clock`).
 */
export function createRedis(
  config: RedisClientConfig,
  logger: Logger,
  clock: Clock = systemClock,
): Redis {
  const log = logger.child({ component: 'redis' });
  const commandTimeout = config.redisCommandTimeout ?? REDIS_DEFAULTS.commandTimeoutMs;
  const redis = new Redis(config.redisUrl.href, {
    password: config.redisPassword?.reveal(),
    lazyConnect: true,
    // A command in flight when the connection drops is rejected, never sent again after the
    // reconnect: its caller has been told it failed (or timed out), so a copy running later
    // behind its back would write stale state or, for XREADGROUP, hand out entries nobody reads.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: false,
    connectTimeout: config.redisConnectTimeout ?? REDIS_DEFAULTS.connectTimeoutMs,
    // The handshake (AUTH, the ready check) is bounded too: a server that accepts TCP and then
    // says nothing fails the ready check, and the client reconnects.
    commandTimeout,
    keepAlive: REDIS_DEFAULTS.keepAliveMs,
    retryStrategy: (times) => backoffStep(times, RECONNECT_BACKOFF),
  });
  // Every component that re-writes its state after a reconnect listens for 'ready' (a dozen in
  // the connector: best-effort writers, observers, heartbeat, log sink). That number is fixed per
  // process, so the limit sits above it; a listener added per event would still pass it and warn.
  redis.setMaxListeners(REDIS_MAX_LISTENERS);
  let down = false;
  redis.on('ready', () => {
    if (down) log.info('Redis reachable again');
    down = false;
  });
  redis.on('error', (err: Error) => {
    if (!down) log.warn({ err: { message: err.message } }, 'Redis unreachable; retrying');
    down = true;
  });
  watchResponsiveness(redis, commandTimeout, clock, () => {
    if (!down) log.warn('Redis stopped answering; reconnecting');
    down = true;
  });
  redis.connect().catch(() => {
    // the error handler logged it; retryStrategy keeps trying
  });
  return redis;
}

/**
 * A second connection to the same Redis with the same deadlines and watchdog, for commands that
 * hold a connection (XREADGROUP BLOCK). `commandTimeout` must exceed the longest BLOCK sent on it.
 */
export function duplicateRedis(
  redis: Redis,
  commandTimeout: number,
  onUnresponsive: () => void = () => undefined,
  clock: Clock = systemClock,
): Redis {
  const copy = redis.duplicate({ commandTimeout, lazyConnect: true });
  copy.on('error', () => {
    // the main connection reports Redis outages; this one just reconnects
  });
  watchResponsiveness(copy, commandTimeout, clock, onUnresponsive);
  copy.connect().catch(() => undefined);
  return copy;
}

/**
 * A connection to a Redis that hangs (frozen process, a peer that keeps the TCP session but
 * forwards nothing) stays "ready" for as long as the kernel keeps the socket, and every command
 * on it times out one by one. A PING every `commandTimeout` tells: when the connection it was
 * sent on is still the one in use and still ready at the watchdog's own deadline, with no answer
 * by then, the connection is dropped and re-made, so the client stops counting as ready
 * (readiness reports Redis not ok) and waiting writers hold their data until a working connection
 * is back. How the PING failed is not looked at: the deadline decides.
 */
export function watchResponsiveness(
  redis: Redis,
  commandTimeout: number,
  clock: Clock,
  onUnresponsive: () => void,
): TimerHandle {
  let probing = false;
  const timer = repeatEvery(
    clock,
    () => {
      if (probing || redis.status !== 'ready') return;
      probing = true;
      const stream = redis.stream;
      let answered = false;
      const deadline = clock.setTimer(() => {
        probing = false;
        if (answered || redis.status !== 'ready' || redis.stream !== stream) return;
        onUnresponsive();
        // Destroyed, not ended: a graceful end waits for the silent peer (ioredis gives it
        // two more seconds). The close makes the client reconnect (retryStrategy).
        stream.destroy();
      }, commandTimeout);
      const answer = () => {
        answered = true;
        probing = false;
        deadline.cancel();
      };
      redis.ping().then(answer, (err: unknown) => {
        // An error reply is an answer: the server is there. A timeout or a closed connection
        // is not; the deadline above judges those.
        if (err instanceof ReplyError) answer();
      });
    },
    commandTimeout,
  );
  redis.once('end', () => timer.cancel());
  return timer;
}

export type { Redis };

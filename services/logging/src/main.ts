#!/usr/bin/env node
import { componentLogger } from '@pa-connector/logger';
import {
  createServiceServer,
  duplicateRedis,
  type HeartbeatHandle,
  PA_VERSION,
  redisReadiness,
  runMemberService,
} from '@pa-connector/service-runtime';
import { loggingApp } from './app';
import { loadLoggingConfig } from './config';
import { LogDirHealth } from './files/log-dir-health';
import { LogStore } from './files/log-store';
import { repeatEvery, systemClock } from './forward/clock';
import { FORWARD_COMPONENT } from './forward/forward-entry';
import { ForwardMetrics } from './forward/forward-metrics';
import { LogsApiClient } from './forward/internal-api-client';
import { LogForwarder } from './forward/log-forwarder';
import { CONSUMER_BLOCK_MS, readGroupInfo, StreamConsumer } from './ingest/stream-consumer';
import { LoggingMetrics } from './metrics';
import { LEVELS } from './query/log-filter';
import { TailHub } from './tail/tail-hub';

/** How often the log directory is re-probed, so a full or read-only volume shows in /ready. */
const DIR_PROBE_MS = 10_000;
/** How often retention runs besides after each rotation (for the age limit). */
const RETENTION_MS = 60_000;
/** How long one forwarded batch may take (the connector retries the SSE before it answers). */
const FORWARD_TIMEOUT_MS = 30_000;
/** Retry delays of forwarding: from the first to the cap, doubling and jittered. */
const FORWARD_BACKOFF = { initialMs: 500, maxMs: 30_000 };
/** How long SIGTERM waits for the last forwarded batches. */
const FORWARD_GRACE_MS = 3_000;

void runMemberService({
  service: 'logging',
  config: loadLoggingConfig,
  secrets: (config, values) => values.add(config.internalApiToken?.reveal()),
  trialProbes: (config) => {
    const dir = new LogDirHealth(config.logDir);
    return [
      {
        name: 'logDir',
        probe: async () => {
          if (!(await dir.probe())) throw new Error(`${config.logDir}: ${dir.error}`);
        },
      },
    ];
  },
  start: async ({ logger, registry, redis, keys, listen, shutdown }, config) => {
    const dirHealth = new LogDirHealth(config.logDir);
    if (!(await dirHealth.probe())) {
      logger.error({ dir: config.logDir }, 'log directory not writable; not ready until it is');
    }
    const hub = new TailHub();
    const metrics = new LoggingMetrics(registry, {
      groupInfo: () => readGroupInfo(redis, keys.logs()),
      tailClients: () => hub.size,
    });
    const forwarder = config.forward ? startForwarder() : undefined;
    function startForwarder(): LogForwarder {
      const client = new LogsApiClient({
        baseUrl: config.connectorUrl,
        timeoutMs: FORWARD_TIMEOUT_MS,
        ...(config.internalApiToken ? { token: config.internalApiToken.reveal() } : {}),
      });
      let f: LogForwarder | undefined;
      const observer = new ForwardMetrics(registry, () => f?.buffered ?? 0);
      f = new LogForwarder({
        send: (batch) => client.logs(batch),
        clock: systemClock,
        random: Math.random,
        minLevel: LEVELS[config.forwardLevel] as number,
        batchSize: config.forwardBatch,
        intervalMs: config.forwardInterval,
        bufferLimit: config.forwardBuffer,
        backoff: FORWARD_BACKOFF,
        logger: componentLogger(logger, FORWARD_COMPONENT),
        observer,
      });
      f.start();
      return f;
    }
    const store = new LogStore({
      dir: config.logDir,
      maxFileBytes: config.fileMaxSize,
      retention: {
        keepFiles: config.keepFiles,
        maxAgeMs: config.maxAge,
        maxTotalBytes: config.maxTotalSize,
      },
      onWritten: (lines) => {
        hub.publish(lines);
        forwarder?.offer(lines);
      },
      onRotated: (service, file) => {
        metrics.rotation(service);
        logger.debug({ service, file }, 'log file rotated');
      },
      onDeleted: (file, reason) => {
        metrics.deleted(reason);
        logger.info({ file, reason }, 'log file deleted by retention');
      },
      onRetentionError: (err) => logger.warn({ err }, 'retention failed; retrying later'),
    });
    // XREADGROUP BLOCK holds a connection, so the consumer has its own, whose deadline covers
    // the BLOCK time: a hung Redis fails the read instead of stalling ingest for good.
    const consumerRedis = duplicateRedis(redis, CONSUMER_BLOCK_MS + config.redisCommandTimeout);
    const consumer = new StreamConsumer({
      redis: consumerRedis,
      blockMs: CONSUMER_BLOCK_MS,
      streamKey: keys.logs(),
      consumer: config.consumerName,
      batchSize: config.readBatch,
      write: async (entries) => {
        try {
          const result = await store.writeBatch(entries);
          if (!dirHealth.writable) dirHealth.report(true);
          return result;
        } catch (err) {
          dirHealth.report(false, err);
          throw err;
        }
      },
      observer: metrics,
      logger: componentLogger(logger, 'ingest'),
    });
    const checks = [redisReadiness(redis), dirHealth.check(), consumer.check()];
    const app = await createServiceServer({
      service: 'logging',
      version: PA_VERSION,
      registry,
      checks,
      logger: componentLogger(logger, 'http'),
    });
    await app.register(loggingApp, {
      logs: { dir: config.logDir, hub, onTailDropped: (n) => metrics.tailDropped.inc(n) },
    });
    let heartbeat: HeartbeatHandle;
    try {
      ({ heartbeat } = await listen(app, {
        checks,
        fields: {
          dir: config.logDir,
          ...(config.forward ? { forwardTo: config.connectorUrl.origin } : {}),
        },
      }));
    } catch (err) {
      consumerRedis.disconnect();
      await forwarder?.stop(0);
      throw err;
    }
    consumer.start();
    void store.enforceRetention().catch(() => undefined);
    const timers = [
      repeatEvery(systemClock, () => void dirHealth.probe(), DIR_PROBE_MS),
      repeatEvery(
        systemClock,
        () => void store.enforceRetention().catch(() => undefined),
        RETENTION_MS,
      ),
    ];
    return {
      logger,
      registry,
      running: {
        async close(lastWords) {
          for (const t of timers) t.cancel();
          await heartbeat.stop();
          await app.close();
          await consumer.stop();
          await store.close();
          await forwarder?.stop(FORWARD_GRACE_MS);
          consumerRedis.disconnect();
          lastWords?.();
          await shutdown();
        },
      },
    };
  },
});

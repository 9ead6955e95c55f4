#!/usr/bin/env node
// First, before anything else allocates: see young-generation.ts.
import '@pa-connector/service-runtime/young-generation';
import { componentLogger } from '@pa-connector/logger';
import {
  createServiceServer,
  PA_VERSION,
  redisReadiness,
  runMemberService,
} from '@pa-connector/service-runtime';
import { popManagerApp, QUIET_ROUTES } from './app';
import { systemClock } from './clock';
import { loadPopManagerConfig } from './config';
import { RecentErrors } from './errors/recent-errors';
import { HostMetricsSampler } from './host/host-metrics';
import { systemHostProbe } from './host/host-probe';
import { InternalApiClient } from './push/internal-api-client';
import { PushMetrics } from './push/push-metrics';
import { StatusPusher } from './push/status-pusher';
import { StatusCollector } from './status/status-collector';
import { StatusReporter } from './status/status-reporter';
import { storeStatus } from './status/status-store';

void runMemberService({
  service: 'pop-manager',
  config: loadPopManagerConfig,
  secrets: (config, values) => values.add(config.internalApiToken?.reveal()),
  start: async ({ logger, registry, redis, keys, listen, shutdown }, config) => {
    const clock = systemClock;
    const collector = new StatusCollector({
      redis,
      keys,
      hostname: config.hostname,
      version: PA_VERSION,
      host: new HostMetricsSampler({
        probe: systemHostProbe,
        diskPath: config.diskPath,
        now: clock.now,
      }),
      recentErrors: new RecentErrors(config.recentErrors),
      errorScanEntries: config.errorScanEntries,
      health: { staleBeats: config.staleBeats, fallbackIntervalMs: config.heartbeatInterval },
      now: clock.now,
    });
    const client = new InternalApiClient({
      baseUrl: config.connectorUrl,
      timeoutMs: config.pushTimeout,
      ...(config.internalApiToken ? { token: config.internalApiToken.reveal() } : {}),
    });
    let pusher: StatusPusher | undefined;
    const pushMetrics = new PushMetrics(registry, () => pusher?.state().pending ?? false);
    pusher = new StatusPusher({
      send: (s) => client.popStatus(s),
      clock,
      random: Math.random,
      backoff: { initialMs: config.pushRetryInitialDelay, maxMs: config.pushRetryMaxDelay },
      logger: componentLogger(logger, 'push'),
      onAttempt: (ok, at) => pushMetrics.attempt(ok, at),
    });
    const push = pusher;
    const reporter = new StatusReporter({
      collect: () => collector.collect(),
      store: (s) => storeStatus(redis, keys, s),
      pusher: push,
      clock,
      random: Math.random,
      intervalMs: config.statusInterval,
      logger: componentLogger(logger, 'status'),
    });
    // The connector is not required: it may still be enrolling when pop-manager starts.
    const checks = [redisReadiness(redis)];
    const app = await createServiceServer({
      service: 'pop-manager',
      version: PA_VERSION,
      registry,
      checks,
      logger: componentLogger(logger, 'http'),
      quietRoutes: QUIET_ROUTES,
    });
    await app.register(popManagerApp, {
      status: async () => ({ ...(await collector.collect()), push: push.state() }),
    });
    const { heartbeat } = await listen(app, {
      checks,
      fields: { hostname: config.hostname, connector: config.connectorUrl.origin },
    });
    reporter.start();
    return {
      logger,
      registry,
      running: {
        async close(lastWords) {
          await reporter.stop();
          push.stop();
          await heartbeat.stop();
          await app.close();
          lastWords?.();
          await shutdown();
        },
      },
    };
  },
});

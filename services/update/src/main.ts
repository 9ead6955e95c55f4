#!/usr/bin/env node
// First, before anything else allocates: see young-generation.ts.
import '@pa-connector/service-runtime/young-generation';
import { hostname } from 'node:os';
import { componentLogger } from '@pa-connector/logger';
import {
  createServiceServer,
  PA_VERSION,
  redisReadiness,
  runMemberService,
  systemClock,
} from '@pa-connector/service-runtime';
import { updateApp } from './app';
import { loadUpdateConfig } from './config';
import { DockerodeEngine } from './engine/dockerode-engine';
import { selfContainer } from './engine/self-container';
import { GroupSlotApi } from './group/group-slot-api';
import { ReleaseSource } from './release/release-source';
import { UpdateMetrics } from './rollout/update-metrics';
import { Updater } from './rollout/updater';
import { parseUpdateWindow } from './schedule/update-window';
import { UpdateStatusStore } from './status/update-status';

void runMemberService({
  service: 'update',
  config: loadUpdateConfig,
  secrets: (config, values) => values.add(config.internalApiToken?.reveal()),
  trialProbes: (config) => {
    const engine = new DockerodeEngine(config.dockerSocket);
    return [{ name: 'docker', probe: async () => ({ engine: await engine.version() }) }];
  },
  start: async ({ logger, registry, redis, keys, listen, shutdown }, config) => {
    const engine = new DockerodeEngine(config.dockerSocket);
    const self = selfContainer(engine, hostname());
    const status = new UpdateStatusStore(redis, keys);
    const internalApi = {
      baseUrl: config.connectorUrl,
      ...(config.internalApiToken ? { token: config.internalApiToken.reveal() } : {}),
      timeoutMs: config.manifestTimeout,
    };
    const updater = new Updater({
      engine,
      release: new ReleaseSource(internalApi),
      status,
      metrics: new UpdateMetrics(registry),
      clock: systemClock,
      logger: componentLogger(logger, 'rollout'),
      version: PA_VERSION,
      project: async () => config.composeProject ?? (await self())?.project,
      selfId: async () => (await self())?.id,
      auto: config.auto,
      window: parseUpdateWindow(config.window),
      intervalMs: config.interval,
      initialDelayMs: config.initialDelay,
      replace: {
        healthTimeoutMs: config.healthTimeout,
        runningGraceMs: Math.min(10_000, config.healthTimeout),
        stopTimeoutSeconds: config.stopTimeout,
        pollMs: 1_000,
      },
      group: {
        api: new GroupSlotApi(internalApi),
        slot: { ttlMs: config.slotTtl, retryMs: config.slotRetry, waitMs: config.slotWait },
        drainTimeoutMs: config.drainTimeout,
      },
    });
    // The connector is not required: it may still be enrolling when update starts.
    const checks = [redisReadiness(redis)];
    const app = await createServiceServer({
      service: 'update',
      version: PA_VERSION,
      registry,
      checks,
      logger: componentLogger(logger, 'http'),
    });
    await app.register(updateApp, {
      updater: {
        check: () => updater.check(),
        status: () => status.get(),
        history: (n) => status.history(n),
      },
    });
    const { heartbeat } = await listen(app, { checks });
    updater.start();
    void updater
      .finishHandOver()
      .catch((err: Error) =>
        logger.warn(
          { reason: err.message },
          'could not remove the update service this one replaced',
        ),
      );
    return {
      logger,
      registry,
      running: {
        async close(lastWords) {
          await updater.stop();
          await heartbeat.stop();
          await app.close();
          lastWords?.();
          await shutdown();
        },
      },
    };
  },
});

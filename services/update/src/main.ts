#!/usr/bin/env node
import { componentLogger } from '@pa-connector/logger';
import {
  PA_VERSION,
  redisReadiness,
  runService,
  startMemberBase,
} from '@pa-connector/service-runtime';
import { buildApp } from './app';
import { loadUpdateConfig } from './config';

void runService({
  service: 'update',
  start: async () => {
    const config = loadUpdateConfig();
    const { logger, registry, redis, listen, shutdown } = startMemberBase('update', config, [
      config.internalApiToken,
    ]);
    // The connector is not required: it may still be enrolling when update starts.
    const checks = [redisReadiness(redis)];
    const app = await buildApp({
      version: PA_VERSION,
      registry,
      checks,
      logger: componentLogger(logger, 'http'),
    });
    const heartbeat = await listen(app, checks);
    return {
      logger,
      running: {
        async close() {
          await heartbeat.stop();
          await app.close();
          await shutdown();
        },
      },
    };
  },
});

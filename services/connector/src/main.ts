#!/usr/bin/env node
import { createLogger, SecretValues } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import { logShippingSink, PA_VERSION, runService } from '@pa-connector/service-runtime';
import { loadConnectorConfig } from './config';
import { registerConfigSecrets, startConnectorService } from './service';

void runService({
  service: 'connector',
  start: async (ctx) => {
    const config = loadConnectorConfig();
    const secrets = new SecretValues();
    registerConfigSecrets(config, secrets);
    const logShipping = logShippingSink(config, 'connector');
    const logger = createLogger({
      service: 'connector',
      level: config.logLevel,
      version: PA_VERSION,
      secrets,
      ...(logShipping ? { logStream: logShipping } : {}),
    });
    const running = await startConnectorService({
      config,
      logger,
      secrets,
      registry: createRegistry('connector'),
      version: PA_VERSION,
      fail: ctx.fail,
      ...(logShipping ? { logShipping } : {}),
    });
    return { running, logger };
  },
});

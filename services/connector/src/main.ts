#!/usr/bin/env node
import { createLogger, type Logger, SecretValues } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import {
  logShippingSink,
  PA_VERSION,
  runService,
  startTrialRun,
} from '@pa-connector/service-runtime';
import { loadConnectorConfig } from './config';
import { IdentityStore } from './identity/identity-store';
import { registerConfigSecrets, startConnectorService } from './service';
import { stopTimeoutMs } from './stop-timeout';

void runService({
  service: 'connector',
  start: async (ctx) => {
    const config = loadConnectorConfig();
    if (config.trialRun) {
      // The identity must load (files present, key matching the certificate); nothing is enrolled,
      // no tunnel opened and nothing in the data directory changed.
      const identity = {
        name: 'identity',
        probe: async (logger: Logger) => {
          const id = await new IdentityStore(config.dataDir, { logger }).load();
          return id ? { connectorId: id.connectorId } : 'not enrolled yet';
        },
      };
      return startTrialRun('connector', config, {
        probes: [identity],
        secrets: (values) => registerConfigSecrets(config, values),
      });
    }
    let logger: Logger | undefined;
    const secrets = new SecretValues([], {
      onOverflow: (held) =>
        logger?.warn(
          { held },
          'more secret values registered than the scrubber holds; the oldest are dropped',
        ),
    });
    registerConfigSecrets(config, secrets);
    const logShipping = logShippingSink(config, 'connector');
    logger = createLogger({
      service: 'connector',
      level: config.logLevel,
      version: PA_VERSION,
      secrets,
      ...(logShipping ? { logStream: logShipping } : {}),
    });
    const registry = createRegistry('connector');
    const running = await startConnectorService({
      config,
      logger,
      secrets,
      registry,
      version: PA_VERSION,
      fail: ctx.fail,
      ...(logShipping ? { logShipping } : {}),
    });
    return { running, logger, registry, stopTimeoutMs: stopTimeoutMs(config) };
  },
});

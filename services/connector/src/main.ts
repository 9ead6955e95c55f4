#!/usr/bin/env node
import type { Logger, SecretValues } from '@pa-connector/logger';
import {
  PA_VERSION,
  runService,
  startMemberBase,
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
    const secrets = (values: SecretValues) => registerConfigSecrets(config, values);
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
      return startTrialRun('connector', config, { probes: [identity], secrets });
    }
    const base = startMemberBase('connector', config, { secrets });
    const running = await startConnectorService({
      config,
      base,
      version: PA_VERSION,
      fail: ctx.fail,
    });
    return {
      running,
      logger: base.logger,
      registry: base.registry,
      stopTimeoutMs: stopTimeoutMs(config),
    };
  },
});

#!/usr/bin/env node
import type { Logger } from '@pa-connector/logger';
import { PA_VERSION, runMemberService } from '@pa-connector/service-runtime';
import { loadConnectorConfig } from './config';
import { IdentityStore } from './identity/identity-store';
import { registerConfigSecrets, startConnectorService } from './service';
import { stopTimeoutMs } from './stop-timeout';

void runMemberService({
  service: 'connector',
  config: loadConnectorConfig,
  secrets: registerConfigSecrets,
  // The identity must load (files present, key matching the certificate); nothing is enrolled,
  // no tunnel opened and nothing in the data directory changed.
  trialProbes: (config) => [
    {
      name: 'identity',
      probe: async (logger: Logger) => {
        const id = await new IdentityStore(config.dataDir, { logger }).load();
        return id ? { connectorId: id.connectorId } : 'not enrolled yet';
      },
    },
  ],
  start: async (base, config, ctx) => {
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

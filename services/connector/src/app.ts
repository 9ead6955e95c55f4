import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import {
  METRICS_PATH,
  popMemberPlugin,
  type ReadinessCheck,
  requireRouteSchemas,
} from '@pa-connector/service-runtime';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { type InternalApiOptions, internalApiPlugin } from './internal-api/internal-api-plugin';

export interface AppDeps {
  version: string;
  registry: Registry;
  /** /ready is 200 when every check passes. */
  checks: ReadinessCheck[];
  internalApi: InternalApiOptions;
  logger?: Logger;
}

/**
 * The connector's HTTP listener: /healthz, /ready, /metrics and the internal API. Builds the
 * fastify instance only (no listening, no timers), so tests drive it with inject().
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : {}),
    // Probes hit /ready every few seconds; the internal API logs what matters itself.
    logController: new LogController({ disableRequestLogging: true }),
  });
  requireRouteSchemas(app, [METRICS_PATH]);
  await app.register(popMemberPlugin, {
    service: 'connector',
    version: deps.version,
    registry: deps.registry,
    checks: deps.checks,
  });
  await app.register(internalApiPlugin, deps.internalApi);
  return app as unknown as FastifyInstance;
}

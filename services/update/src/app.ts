import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import {
  METRICS_PATH,
  popMemberPlugin,
  type ReadinessCheck,
  requireRouteSchemas,
} from '@pa-connector/service-runtime';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { type UpdateJob, updateRoutes } from './http/update-routes';

const PROBES = new Set(['/healthz', '/ready', '/metrics']);

export interface UpdateAppDeps {
  version: string;
  registry: Registry;
  checks: ReadinessCheck[];
  /** The update job: GET /update/status and POST /update/check; absent, those answer 404. */
  updater?: UpdateJob;
  logger?: Logger;
  now?: () => number;
}

/**
 * The update service's HTTP surface: /healthz, /ready, /metrics, and the update job's status and
 * "check now". Building it starts nothing (no listener, no timers); main.ts listens, tests call
 * inject().
 */
export async function buildApp(d: UpdateAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(d.logger ? { loggerInstance: d.logger } : {}),
    // Probes arrive every few seconds: their request lines would drown everything else.
    logController: new LogController({
      disableRequestLogging: (req) => PROBES.has(req.url.split('?')[0] ?? ''),
    }),
  });
  requireRouteSchemas(app, [METRICS_PATH]);
  await app.register(popMemberPlugin, {
    service: 'update',
    version: d.version,
    registry: d.registry,
    checks: d.checks,
    ...(d.now ? { now: d.now } : {}),
  });
  if (d.updater) await app.register(updateRoutes, { updater: d.updater });
  return app as unknown as FastifyInstance;
}

import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import {
  METRICS_PATH,
  popMemberPlugin,
  type ReadinessCheck,
  requireRouteSchemas,
} from '@pa-connector/service-runtime';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { STATUS_PAGE_PATHS, statusPageRoutes } from './http/status-page-routes';
import { statusRoutes } from './http/status-routes';
import type { PopManagerStatus } from './status/pop-status';

// Probes and the status page's polling arrive every few seconds: their request lines would
// drown everything else.
const QUIET = new Set(['/healthz', '/ready', '/metrics', '/status', ...STATUS_PAGE_PATHS]);

export interface PopManagerAppDeps {
  version: string;
  registry: Registry;
  checks: ReadinessCheck[];
  /** The POP status, collected when asked (GET /status and the page). */
  status: () => Promise<PopManagerStatus>;
  logger?: Logger;
  now?: () => number;
  /** Where the page's files are (default: the package's static/). */
  staticDir?: string;
}

/**
 * pop-manager's HTTP surface: /healthz, /ready, /metrics, /status and the status page at /.
 * Building it starts nothing (no listener, no timers); main.ts listens, tests call inject().
 */
export async function buildApp(d: PopManagerAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(d.logger ? { loggerInstance: d.logger } : {}),
    logController: new LogController({
      disableRequestLogging: (req) => QUIET.has(req.url.split('?')[0] ?? ''),
    }),
  });
  requireRouteSchemas(app, [METRICS_PATH]);
  await app.register(popMemberPlugin, {
    service: 'pop-manager',
    version: d.version,
    registry: d.registry,
    checks: d.checks,
    ...(d.now ? { now: d.now } : {}),
  });
  await app.register(statusRoutes, { status: d.status });
  await app.register(statusPageRoutes, d.staticDir ? { dir: d.staticDir } : {});
  return app as unknown as FastifyInstance;
}

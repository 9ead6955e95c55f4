import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import {
  METRICS_PATH,
  popMemberPlugin,
  type ReadinessCheck,
  requireRouteSchemas,
} from '@pa-connector/service-runtime';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { logsRoutes } from './http/logs-routes';
import type { TailHub } from './tail/tail-hub';

const PROBES = new Set(['/healthz', '/ready', '/metrics']);

export interface LoggingAppDeps {
  version: string;
  registry: Registry;
  checks: ReadinessCheck[];
  /** The log directory to search and the hub live tails subscribe to. */
  logs?: { dir: string; hub: TailHub; onTailDropped?: (lines: number) => void };
  logger?: Logger;
  now?: () => number;
}

/**
 * The logging service's HTTP surface: /healthz, /ready, /metrics, and the log search and live
 * tail. Building it starts nothing (no listener, no timers); main.ts listens, tests call inject().
 */
export async function buildApp(d: LoggingAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(d.logger ? { loggerInstance: d.logger } : {}),
    // Probes arrive every few seconds: their request lines would drown everything else.
    logController: new LogController({
      disableRequestLogging: (req) => PROBES.has(req.url.split('?')[0] ?? ''),
    }),
  });
  requireRouteSchemas(app, [METRICS_PATH]);
  await app.register(popMemberPlugin, {
    service: 'logging',
    version: d.version,
    registry: d.registry,
    checks: d.checks,
    ...(d.now ? { now: d.now } : {}),
  });
  const logs = d.logs;
  if (logs) {
    await app.register(logsRoutes, {
      dir: logs.dir,
      hub: logs.hub,
      ...(d.now ? { now: d.now } : {}),
      ...(logs.onTailDropped ? { onTailDropped: logs.onTailDropped } : {}),
    });
    // Live tails never end on their own; end them so close() does not wait for clients.
    app.addHook('preClose', async () => logs.hub.closeAll());
  }
  return app as unknown as FastifyInstance;
}

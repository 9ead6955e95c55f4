import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { METRICS_PATH, popMemberPlugin } from './pop-member-plugin';
import type { ReadinessCheck } from './readiness';
import { requireRouteSchemas } from './route-schemas';

/** The routes of popMemberPlugin. Probes ask them every few seconds: never worth a line each. */
const PROBE_ROUTES: readonly string[] = ['/healthz', '/ready', '/metrics'];

/** Answers that are not JSON and take no input, so they carry no schema. */
const SCHEMALESS_ROUTES: readonly string[] = [METRICS_PATH];

export interface ServiceServerOptions {
  service: string;
  version: string;
  registry: Registry;
  /** /ready is 200 when every check passes. */
  checks: ReadinessCheck[];
  /** A service that can drain says here whether it is draining (`draining` in /ready). */
  draining?: () => boolean;
  logger?: Logger;
  /** Injectable clock for uptime. */
  now?: () => number;
  /**
   * Routes besides the probes whose request lines are not logged (polled ones), or `'all'` for a
   * server whose routes log what matters themselves. Default: the probes only.
   */
  quietRoutes?: readonly string[] | 'all';
}

/**
 * The HTTP server every POP service (and a trial run) starts from: one fastify instance with the
 * service's logger, quiet probes, and popMemberPlugin (/healthz, /ready, /metrics, keep-alive
 * connections ended on close). A service registers its own routes on it as a plugin. Creating it
 * starts nothing: the caller listens, tests call inject().
 */
export async function createServiceServer(o: ServiceServerOptions): Promise<FastifyInstance> {
  const quiet =
    o.quietRoutes === 'all' ? undefined : new Set([...PROBE_ROUTES, ...(o.quietRoutes ?? [])]);
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...(o.logger ? { loggerInstance: o.logger } : {}),
    logController: new LogController({
      disableRequestLogging: quiet ? (req) => quiet.has(req.url.split('?')[0] ?? '') : true,
    }),
  });
  // Every route declares what it takes and answers (the probes included); one that does not is
  // refused when it is registered, so the server never starts with it.
  requireRouteSchemas(app, SCHEMALESS_ROUTES);
  await app.register(popMemberPlugin, {
    service: o.service,
    version: o.version,
    registry: o.registry,
    checks: o.checks,
    ...(o.draining ? { draining: o.draining } : {}),
    ...(o.now ? { now: o.now } : {}),
  });
  return app;
}

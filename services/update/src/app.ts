import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import { popMemberPlugin, type ReadinessCheck } from '@pa-connector/service-runtime';
import Fastify, { type FastifyInstance, LogController } from 'fastify';

const PROBES = new Set(['/healthz', '/ready', '/metrics']);

export interface UpdateAppDeps {
  version: string;
  registry: Registry;
  checks: ReadinessCheck[];
  logger?: Logger;
  now?: () => number;
}

/**
 * The update service's HTTP surface: /healthz, /ready, /metrics. Building it starts nothing
 * (no listener, no timers); main.ts listens, tests call inject().
 */
export async function buildApp(d: UpdateAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(d.logger ? { loggerInstance: d.logger } : {}),
    // Probes arrive every few seconds: their request lines would drown everything else.
    logController: new LogController({
      disableRequestLogging: (req) => PROBES.has(req.url.split('?')[0] ?? ''),
    }),
  });
  await app.register(popMemberPlugin, {
    service: 'update',
    version: d.version,
    registry: d.registry,
    checks: d.checks,
    ...(d.now ? { now: d.now } : {}),
  });
  return app as unknown as FastifyInstance;
}

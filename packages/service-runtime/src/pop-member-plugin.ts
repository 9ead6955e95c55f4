import type { Registry } from '@pa-connector/metrics';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { closeKeepAlivePlugin } from './close-keep-alive';
import { type ReadinessCheck, readiness } from './readiness';

export interface PopMemberOptions {
  service: string;
  version: string;
  registry: Registry;
  checks: ReadinessCheck[];
  /** Injectable clock for uptime. */
  now?: () => number;
}

/**
 * The routes every POP service answers: /healthz (the process is alive), /ready (its
 * dependencies are up; 503 with the failing checks otherwise) and /metrics (Prometheus text).
 * It also makes close() end keep-alive connections, so a stop is never held up by a client.
 */
const plugin: FastifyPluginAsync<PopMemberOptions> = async (app, o) => {
  await app.register(closeKeepAlivePlugin);
  const now = o.now ?? Date.now;
  const started = now();
  app.get('/healthz', async () => ({
    status: 'alive',
    service: o.service,
    version: o.version,
    uptimeSeconds: Math.round((now() - started) / 1000),
  }));
  app.get('/ready', async (_req, reply) => {
    const report = readiness(o.checks);
    return reply.code(report.ready ? 200 : 503).send({ service: o.service, ...report });
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await o.registry.metrics();
    return reply.type(o.registry.contentType).send(text);
  });
};

export const popMemberPlugin = fp(plugin, { name: 'pa-pop-member', fastify: '5.x' });

import type { Registry } from '@pa-connector/metrics';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { closeKeepAlivePlugin } from './close-keep-alive';
import { ERROR_RESPONSES, httpErrorsPlugin } from './http-errors';
import { HealthzAnswer, ReadyAnswer } from './probe-contracts';
import { type ReadinessCheck, readiness } from './readiness';

export interface PopMemberOptions {
  service: string;
  version: string;
  registry: Registry;
  checks: ReadinessCheck[];
  /** A service that can drain says here whether it is draining (`draining` in /ready). */
  draining?: () => boolean;
  /** Injectable clock for uptime. */
  now?: () => number;
}

/**
 * The routes every POP service answers: /healthz (the process is alive), /ready (its
 * dependencies are up; 503 with the failing checks otherwise) and /metrics (Prometheus text).
 * It also makes close() end keep-alive connections, so a stop is never held up by a client, and
 * makes every error answer `{error:{code,message}}`.
 */
const plugin: FastifyPluginAsync<PopMemberOptions> = async (app, o) => {
  await app.register(closeKeepAlivePlugin);
  await app.register(httpErrorsPlugin);
  const now = o.now ?? Date.now;
  const started = now();
  const healthz = { response: { 200: HealthzAnswer, ...ERROR_RESPONSES } };
  app.get('/healthz', { schema: healthz }, async () => ({
    status: 'alive',
    service: o.service,
    version: o.version,
    uptimeSeconds: Math.round((now() - started) / 1000),
  }));
  const ready = { response: { 200: ReadyAnswer, 503: ReadyAnswer, ...ERROR_RESPONSES } };
  app.get('/ready', { schema: ready }, async (_req, reply) => {
    const report = readiness(o.checks);
    const draining = o.draining ? { draining: o.draining() } : {};
    return reply
      .code(report.ready ? 200 : 503)
      .send({ service: o.service, ...report, ...draining });
  });
  // Prometheus text, not JSON: the one route every server exempts from declaring a schema.
  app.get(METRICS_PATH, async (_req, reply) => {
    const text = await o.registry.metrics();
    return reply.type(o.registry.contentType).send(text);
  });
};

export const METRICS_PATH = '/metrics';

export const popMemberPlugin = fp(plugin, { name: 'pa-pop-member', fastify: '5.x' });

import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import { popMemberPlugin, type ReadinessCheck } from '@pa-connector/service-runtime';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { CheckOutcome } from './rollout/updater';
import type { UpdateHistoryEntry } from './status/update-status';

const PROBES = new Set(['/healthz', '/ready', '/metrics']);

export interface UpdateAppDeps {
  version: string;
  registry: Registry;
  checks: ReadinessCheck[];
  /** The update job: GET /update/status and POST /update/check; absent, those answer 404. */
  updater?: {
    check(): Promise<CheckOutcome>;
    status(): Promise<Record<string, string>>;
    history(count: number): Promise<UpdateHistoryEntry[]>;
  };
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
  await app.register(popMemberPlugin, {
    service: 'update',
    version: d.version,
    registry: d.registry,
    checks: d.checks,
    ...(d.now ? { now: d.now } : {}),
  });
  const updater = d.updater;
  if (updater) {
    app.get('/update/status', async (req, reply) => {
      const raw = (req.query as { history?: string }).history ?? '20';
      if (!/^\d{1,3}$/.test(raw)) {
        return reply.code(400).send({
          error: { code: 'invalid_request', message: 'history must be a number from 0 to 200' },
        });
      }
      const count = Math.min(Number(raw), 200);
      return {
        status: await updater.status(),
        history: count === 0 ? [] : await updater.history(count),
      };
    });
    // Starts a check (or joins the one under way) and answers at once: a rollout takes minutes.
    app.post('/update/check', async (_req, reply) => {
      void updater.check();
      return reply.code(202).send({ accepted: true });
    });
  }
  return app as unknown as FastifyInstance;
}

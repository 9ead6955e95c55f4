import type { FastifyPluginAsync } from 'fastify';
import type { CheckOutcome } from './rollout/updater';
import type { UpdateHistoryEntry } from './status/update-status';

export interface UpdateAppOptions {
  /** The update job: GET /update/status and POST /update/check; absent, those answer 404. */
  updater?: {
    check(): Promise<CheckOutcome>;
    status(): Promise<Record<string, string>>;
    history(count: number): Promise<UpdateHistoryEntry[]>;
  };
}

/**
 * The update service's routes on the shared service server (createServiceServer: /healthz,
 * /ready, /metrics): the update job's status and "check now". Registering it starts nothing (no
 * listener, no timers); main.ts listens, tests call inject().
 */
export const updateApp: FastifyPluginAsync<UpdateAppOptions> = async (app, d) => {
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
};

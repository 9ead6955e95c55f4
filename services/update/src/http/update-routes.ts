import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES } from '@pa-connector/service-runtime';
import { NoBody } from '@pa-connector/sse-api/internal-api';
import { Type } from '@sinclair/typebox';
import type { CheckOutcome } from '../rollout/updater';
import { HISTORY_LENGTH, UpdateHistoryEntry } from '../status/update-status';

/** What the routes drive: the update job. */
export interface UpdateJob {
  check(): Promise<CheckOutcome>;
  status(): Promise<Record<string, string>>;
  history(count: number): Promise<UpdateHistoryEntry[]>;
}

const UpdateStatusQuery = Type.Object({
  /** How many history entries (newest first). */
  history: Type.Integer({ minimum: 0, maximum: HISTORY_LENGTH, default: 20 }),
});

/** `GET /update/status`: the status hash as the job wrote it, and the latest history. */
const UpdateStatusAnswer = Type.Object({
  status: Type.Record(Type.String(), Type.String()),
  history: Type.Array(UpdateHistoryEntry),
});

const CheckStarted = Type.Object({ accepted: Type.Literal(true) });

/** GET /update/status and POST /update/check (shapes in the README). */
export const updateRoutes: FastifyPluginAsyncTypebox<{ updater: UpdateJob }> = async (app, o) => {
  const { updater } = o;
  app.get(
    '/update/status',
    {
      schema: {
        querystring: UpdateStatusQuery,
        response: { 200: UpdateStatusAnswer, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const count = req.query.history;
      return {
        status: await updater.status(),
        history: count === 0 ? [] : await updater.history(count),
      };
    },
  );
  // Starts a check (or joins the one under way) and answers at once: a rollout takes minutes.
  app.post(
    '/update/check',
    { schema: { body: NoBody, response: { 202: CheckStarted, ...ERROR_RESPONSES } } },
    async (_req, reply) => {
      void updater.check();
      return reply.code(202).send({ accepted: true });
    },
  );
};

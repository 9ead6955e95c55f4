import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PopManagerStatus } from '@pa-connector/redis-contracts';
import { ERROR_RESPONSES } from '@pa-connector/service-runtime';

export interface StatusRoutesOptions {
  /** The POP status, collected when asked. */
  status: () => Promise<PopManagerStatus>;
}

const schema = { response: { 200: PopManagerStatus, ...ERROR_RESPONSES } };

/** `GET /status`: the POP status as JSON (its contract in redis-contracts; the CLI reads it). */
export const statusRoutes: FastifyPluginAsyncTypebox<StatusRoutesOptions> = async (app, o) => {
  app.get('/status', { schema }, async (_req, reply) => {
    const status = await o.status();
    return reply.header('cache-control', 'no-store').send(status);
  });
};

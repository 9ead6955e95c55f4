import type { FastifyPluginAsync } from 'fastify';
import type { PopManagerStatus } from '../status/pop-status';

export interface StatusRoutesOptions {
  /** The POP status, collected when asked. */
  status: () => Promise<PopManagerStatus>;
}

/** `GET /status`: the POP status as JSON (shape in the README; the operator CLI reads it). */
export const statusRoutes: FastifyPluginAsync<StatusRoutesOptions> = async (app, o) => {
  app.get('/status', async (_req, reply) => {
    const status = await o.status();
    return reply.header('cache-control', 'no-store').send(status);
  });
};

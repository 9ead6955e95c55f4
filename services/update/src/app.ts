import type { FastifyPluginAsync } from 'fastify';
import { type UpdateJob, updateRoutes } from './http/update-routes';

export interface UpdateAppOptions {
  /** The update job: GET /update/status and POST /update/check; absent, those answer 404. */
  updater?: UpdateJob;
}

/**
 * The update service's routes on the shared service server (createServiceServer: /healthz,
 * /ready, /metrics): the update job's status and "check now". Registering it starts nothing (no
 * listener, no timers); main.ts listens, tests call inject().
 */
export const updateApp: FastifyPluginAsync<UpdateAppOptions> = async (app, d) => {
  if (d.updater) await app.register(updateRoutes, { updater: d.updater });
};

import type { FastifyPluginAsync } from 'fastify';
import { type InternalApiOptions, internalApiPlugin } from './internal-api/internal-api-plugin';

export interface ConnectorAppOptions {
  internalApi: InternalApiOptions;
}

/**
 * The connector's routes on the shared service server (createServiceServer: /healthz, /ready,
 * /metrics): the internal API. Registering it starts nothing, so tests drive it with inject().
 * No request is logged by the server: probes hit /ready every few seconds, and the internal API
 * logs what matters itself.
 */
export const connectorApp: FastifyPluginAsync<ConnectorAppOptions> = async (app, o) => {
  await app.register(internalApiPlugin, o.internalApi);
};

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireRouteSchemas } from '@pa-connector/service-runtime';
import { errorBody, SseErrorCode } from '@pa-connector/sse-api';
import Fastify from 'fastify';
import { bearerToken, installErrorHandling } from '../http/errors';
import { schemaOptions } from '../http/schema-errors';
import { digestsEqual, sha256Hex } from '../state/secrets';
import { appRoutes } from './app-routes';
import type { AdminApp, AdminDeps } from './deps';
import { endpointRoutes } from './endpoint-routes';
import { gatewayRoutes } from './gateway-routes';
import { groupViewRoutes } from './group-view-routes';
import { packageRoutes } from './package-routes';
import {
  connectorAdminRoutes,
  faultRoutes,
  groupRoutes,
  infoRoutes,
  keyRoutes,
  releaseRoutes,
} from './routes';

/** The admin API over plain HTTP (meant for loopback). No side effects until listen(). */
export function buildAdminApp(deps: AdminDeps): AdminApp {
  const app: AdminApp = Fastify({
    loggerInstance: deps.logger,
    // A package download (hundreds of MB) still in flight, or one whose client vanished without
    // closing its side, must not hold up the emulator's shutdown: close() ends every connection.
    forceCloseConnections: true,
    ...schemaOptions,
  }).withTypeProvider<TypeBoxTypeProvider>();
  requireRouteSchemas(app);
  installErrorHandling(app);
  if (deps.adminToken) {
    const expected = sha256Hex(deps.adminToken);
    app.addHook('onRequest', async (request, reply) => {
      if (request.url === '/admin/healthz') return;
      const presented = bearerToken(request.headers.authorization);
      if (presented && digestsEqual(sha256Hex(presented), expected)) return;
      return reply
        .code(401)
        .send(
          errorBody(
            SseErrorCode.tokenInvalid,
            'admin API needs Authorization: Bearer <admin token>',
          ),
        );
    });
  }
  infoRoutes(app, deps);
  groupRoutes(app, deps);
  appRoutes(app, deps);
  groupViewRoutes(app, deps);
  keyRoutes(app, deps);
  connectorAdminRoutes(app, deps);
  releaseRoutes(app, deps);
  faultRoutes(app, deps);
  gatewayRoutes(app, deps);
  endpointRoutes(app, deps);
  packageRoutes(app, deps);
  return app;
}

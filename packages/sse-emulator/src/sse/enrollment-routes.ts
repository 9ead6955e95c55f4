import { SseRoutes } from '@pa-connector/sse-api';
import { bearerToken } from '../http/errors';
import { authenticate, type SseApp, type SseDeps } from './deps';
import { SseRouteSchemas as schemas } from './route-schemas';

/** register, token, refresh, renew. */
export function enrollmentRoutes(app: SseApp, deps: SseDeps): void {
  app.post(SseRoutes.register, { schema: schemas.register }, async (request, reply) => {
    // Everything up to persist() runs in one turn: checks and the key use are atomic.
    const { connector, response } = deps.state.register(request.body);
    request.log.info(
      {
        connectorId: connector.id,
        groupId: connector.groupId,
        keyId: connector.keyId,
        hostname: connector.hostname,
        region: connector.region,
      },
      'connector registered',
    );
    await deps.persist();
    await deps.gateways?.admit(connector.id);
    return reply.code(201).send(response);
  });

  app.post(SseRoutes.token, { schema: schemas.token }, async (request) => {
    const { connector } = authenticate(deps, request, { token: false });
    const token = deps.state.issueToken(connector);
    await deps.persist();
    return token;
  });

  app.post(SseRoutes.refresh, { schema: schemas.refresh }, async (request) => {
    const { connector } = authenticate(deps, request, { token: false });
    const token = deps.state.refreshToken(connector, bearerToken(request.headers.authorization));
    await deps.persist();
    return token;
  });

  app.post(SseRoutes.renew, { schema: schemas.renew }, async (request) => {
    const { connector } = authenticate(deps, request, { token: true });
    const renewed = deps.state.renew(connector, request.body.csr);
    request.log.info({ connectorId: connector.id }, 'certificate renewed (pending until used)');
    await deps.persist();
    return renewed;
  });
}

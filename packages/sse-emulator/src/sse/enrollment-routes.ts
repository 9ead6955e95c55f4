import { SseRoutes } from '@pa-connector/sse-api';
import { bearerToken } from '../http/errors';
import { authenticate, type SseApp, type SseDeps } from './deps';
import { registerRequest, renewRequest } from './request-bodies';

/** register, token, refresh, renew. */
export function enrollmentRoutes(app: SseApp, deps: SseDeps): void {
  app.post(SseRoutes.register, async (request, reply) => {
    // Everything up to persist() runs in one turn: checks and the key use are atomic.
    const { connector, response } = deps.state.register(registerRequest(request.body));
    request.log.info(
      {
        connectorId: connector.id,
        groupId: connector.groupId,
        keyId: connector.keyId,
        hostname: connector.hostname,
        pop: connector.pop,
      },
      'connector registered',
    );
    await deps.persist();
    await deps.gateways?.admit(connector.id);
    return reply.code(201).send(response);
  });

  app.post(SseRoutes.token, async (request) => {
    const { connector } = authenticate(deps, request, { token: false });
    const token = deps.state.issueToken(connector);
    await deps.persist();
    return token;
  });

  app.post(SseRoutes.refresh, async (request) => {
    const { connector } = authenticate(deps, request, { token: false });
    const token = deps.state.refreshToken(connector, bearerToken(request.headers.authorization));
    await deps.persist();
    return token;
  });

  app.post(SseRoutes.renew, async (request) => {
    const { connector } = authenticate(deps, request, { token: true });
    const renewed = deps.state.renew(connector, renewRequest(request.body).csr);
    request.log.info({ connectorId: connector.id }, 'certificate renewed (pending until used)');
    await deps.persist();
    return renewed;
  });
}

import { errorBody, SseErrorCode, SseRoutes } from '@pa-connector/sse-api';
import { invalidRequest } from '../errors';
import { authenticate, type SseApp, type SseDeps } from './deps';
import { SseRouteSchemas as schemas } from './route-schemas';

/** catalog, release, and the ingest endpoints (health, POP status, logs). */
export function connectorRoutes(app: SseApp, deps: SseDeps): void {
  app.get(SseRoutes.catalog, { schema: schemas.catalog }, async (request, reply) => {
    const { connector, changed } = authenticate(deps, request, { token: true });
    if (changed) await deps.persist();
    const { etag, body } = deps.state.catalog(connector);
    reply.header('etag', etag);
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return body;
  });

  app.get(SseRoutes.release, { schema: schemas.release }, async (request, reply) => {
    const { changed } = authenticate(deps, request, { token: true });
    if (changed) await deps.persist();
    const manifest = deps.state.release();
    if (!manifest) {
      return reply.code(404).send(errorBody(SseErrorCode.notFound, 'no release published'));
    }
    return manifest;
  });

  app.post(SseRoutes.health, { schema: schemas.health }, async (request, reply) => {
    const { connector } = authenticate(deps, request, { token: true });
    const { connectorId } = request.body;
    if (connectorId !== undefined && connectorId !== connector.id) {
      throw invalidRequest(`connectorId "${connectorId}" is not the caller (${connector.id})`);
    }
    deps.state.recordHealth(
      connector,
      { ...request.body, connectorId: connector.id },
      deps.listenerUrl?.(),
    );
    await deps.persist();
    return reply.code(202).send({ accepted: 1 });
  });

  app.post(SseRoutes.popStatus, { schema: schemas.popStatus }, async (request, reply) => {
    const { connector } = authenticate(deps, request, { token: true });
    deps.state.recordPopStatus(connector, request.body, deps.listenerUrl?.());
    await deps.persist();
    return reply.code(202).send({ accepted: 1 });
  });

  app.post(SseRoutes.logs, { schema: schemas.logs }, async (request, reply) => {
    const { connector } = authenticate(deps, request, { token: true });
    deps.state.recordLogs(connector, request.body, deps.listenerUrl?.());
    await deps.persist();
    return reply.code(202).send({ accepted: request.body.entries.length });
  });
}

/** If-None-Match may list several tags, weak ones included, or be `*`. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*');
}

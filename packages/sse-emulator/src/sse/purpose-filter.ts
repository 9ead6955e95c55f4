import {
  errorBody,
  SSE_ENDPOINTS,
  type SseEndpoint,
  SseErrorCode,
  type SsePurpose,
  SsePurposeOf,
  SseRoutes,
} from '@pa-connector/sse-api';
import type { SseApp } from './deps';

const ENDPOINT_BY_PATH = new Map<string, SseEndpoint>(SSE_ENDPOINTS.map((e) => [SseRoutes[e], e]));

/**
 * A listener of one purpose (registration, tokens, catalog, collector) answers the other
 * purposes' routes as if they did not exist: 404 with the same body as an unknown path, before
 * any fault, certificate or body check, so a connector that calls the wrong endpoint learns it.
 */
export function purposeFilter(app: SseApp, purposes: readonly SsePurpose[]): void {
  app.addHook('onRequest', async (request, reply) => {
    const endpoint = ENDPOINT_BY_PATH.get(request.routeOptions.url ?? '');
    if (!endpoint || purposes.includes(SsePurposeOf[endpoint])) return;
    return reply
      .code(404)
      .send(errorBody(SseErrorCode.notFound, `no route ${request.method} ${request.url}`));
  });
}

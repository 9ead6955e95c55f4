import {
  errorBody,
  SSE_ENDPOINTS,
  type SseEndpoint,
  SseErrorCode,
  SseRoutes,
} from '@pa-connector/sse-api';
import { malformedResponse } from '../faults/malformed';
import type { SseApp, SseDeps } from './deps';

const ENDPOINT_BY_PATH = new Map<string, SseEndpoint>(SSE_ENDPOINTS.map((e) => [SseRoutes[e], e]));

/** Applies armed faults before anything else (a "down" server does not check certificates). */
export function faultHook(app: SseApp, deps: SseDeps): void {
  app.addHook('onRequest', async (request, reply) => {
    const endpoint = ENDPOINT_BY_PATH.get(request.routeOptions.url ?? '');
    if (!endpoint) return;
    const fault = deps.faults.take(endpoint);
    if (!fault) return;
    request.log.warn({ endpoint, fault: fault.mode }, 'injecting fault');
    switch (fault.mode) {
      case 'down':
        reply.hijack();
        request.raw.socket.destroy();
        return reply;
      case 'slow':
        await deps.sleep(fault.delayMs ?? 0);
        return;
      case '5xx':
        return reply
          .code(fault.status ?? 503)
          .send(errorBody(SseErrorCode.injectedFault, `injected ${fault.status ?? 503} fault`));
      case 'malformed': {
        const m = malformedResponse(endpoint, fault.variant ?? 'not-json');
        return reply.code(m.status).type('application/json').send(m.payload);
      }
    }
  });
}

import {
  errorBody,
  SSE_ENDPOINTS,
  type SseEndpoint,
  SseErrorCode,
  SseRoutes,
} from '@pa-connector/sse-api';
import type { FaultSpec, MaliciousVariant } from '../faults/fault-table';
import { maliciousPayload } from '../faults/hostile';
import { malformedResponse } from '../faults/malformed';
import type { SseApp, SseDeps } from './deps';

const ENDPOINT_BY_PATH = new Map<string, SseEndpoint>(SSE_ENDPOINTS.map((e) => [SseRoutes[e], e]));

/** Faults that let the request be processed and act on its answer. */
const AFTER_PROCESSING = Symbol('fault applied to the answer');
type Marked = { [AFTER_PROCESSING]?: { endpoint: SseEndpoint; fault: FaultSpec } };

/**
 * Applies armed faults before anything else (a "down" server does not check certificates).
 * `lost-response` and `malicious` let the request through and act on its answer instead.
 */
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
        const m = malformedResponse(endpoint, (fault.variant ?? 'not-json') as 'not-json');
        return reply.code(m.status).type('application/json').send(m.payload);
      }
      case 'lost-response':
      case 'malicious':
        (request as Marked)[AFTER_PROCESSING] = { endpoint, fault };
        return;
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const marked = (request as Marked)[AFTER_PROCESSING];
    if (!marked) return payload;
    if (marked.fault.mode === 'lost-response') {
      // The work is done (and persisted); the client never learns of it.
      request.log.warn({ endpoint: marked.endpoint }, 'answer processed, connection destroyed');
      request.raw.socket.destroy();
      return payload;
    }
    if (reply.statusCode >= 300 || typeof payload !== 'string') return payload;
    return maliciousPayload(
      marked.endpoint,
      marked.fault.variant as MaliciousVariant,
      marked.fault.markerPath ?? '',
      payload,
    );
  });
}

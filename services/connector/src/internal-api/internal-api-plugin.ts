import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorBody, HttpErrorCode } from '@pa-connector/service-runtime';
import { InternalApiRoutes, SseApiError, SseProtocolError } from '@pa-connector/sse-api';
import type { FastifyReply } from 'fastify';
import type { SseForwarder } from './forwarder';
import { logsSchema, popStatusSchema, releaseSchema } from './internal-api-contracts';

export interface InternalApiOptions {
  /** Undefined until the connector is enrolled (requests then get 503). */
  forwarder: () => Pick<SseForwarder, 'popStatus' | 'release' | 'logs'> | undefined;
  /** When set, callers must send `Authorization: Bearer <token>`. */
  apiToken?: string;
  /** Counts requests per route and status. */
  observe?: (route: string, status: number) => void;
  /** Largest log batch body accepted, bytes (default 5 MiB). */
  logsBodyLimit?: number;
}

/** Internal API error codes (bodies are `{error:{code,message}}` like the SSE's). */
const InternalErrorCode = {
  unauthorized: 'unauthorized',
  /** A body that breaks its schema, bad JSON or a body too large (the server's shared answer). */
  invalidRequest: HttpErrorCode.invalidRequest,
  notEnrolled: 'not_enrolled',
  sseUnavailable: 'sse_unavailable',
  sseBadResponse: 'sse_bad_response',
  sseRejected: 'sse_rejected',
} as const;

function send(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send(errorBody(code, message));
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * The connector's internal API: other POP services reach the SSE through it. The connector
 * attaches its token, retries and fails over; callers get the SSE's answer, 503 not_enrolled
 * before enrollment, or 502 with a code when the SSE keeps failing. Bodies are checked by their
 * schemas (400 invalid_request naming the field, in the server's shared error shape).
 */
export const internalApiPlugin: FastifyPluginAsyncTypebox<InternalApiOptions> = async (app, o) => {
  const expected = o.apiToken === undefined ? undefined : digest(`Bearer ${o.apiToken}`);

  app.addHook('onRequest', async (req, reply) => {
    if (expected === undefined) return;
    const given = digest(req.headers.authorization ?? '');
    if (!timingSafeEqual(given, expected)) {
      return send(
        reply,
        401,
        InternalErrorCode.unauthorized,
        'this API needs Authorization: Bearer <internal API token>',
      );
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    o.observe?.(req.routeOptions.url ?? 'unknown', reply.statusCode);
  });

  const forward = async <T>(reply: FastifyReply, okStatus: number, call: () => Promise<T>) => {
    try {
      return reply.code(okStatus).send(await call());
    } catch (err) {
      if (err instanceof SseApiError) {
        if (err.status !== undefined && [400, 404, 413, 422].includes(err.status)) {
          // The SSE refused what the caller sent (or has nothing): pass its answer through.
          return send(reply, err.status, err.code, err.message);
        }
        if (err.retryable) {
          return send(
            reply,
            502,
            InternalErrorCode.sseUnavailable,
            `the SSE keeps failing: ${err.message}`,
          );
        }
        return send(
          reply,
          502,
          InternalErrorCode.sseRejected,
          `the SSE refused the connector: ${err.message}`,
        );
      }
      if (err instanceof SseProtocolError) {
        return send(reply, 502, InternalErrorCode.sseBadResponse, err.message);
      }
      throw err;
    }
  };

  const enrolled = (reply: FastifyReply) => {
    const f = o.forwarder();
    if (!f)
      send(
        reply,
        503,
        InternalErrorCode.notEnrolled,
        'the connector is not enrolled yet; try again later',
      );
    return f;
  };

  app.post(InternalApiRoutes.popStatus, { schema: popStatusSchema }, async (req, reply) => {
    const f = enrolled(reply);
    if (!f) return reply;
    return forward(reply, 202, () => f.popStatus(req.body));
  });

  app.get(InternalApiRoutes.release, { schema: releaseSchema }, async (_req, reply) => {
    const f = enrolled(reply);
    if (!f) return reply;
    return forward(reply, 200, () => f.release());
  });

  app.post(
    InternalApiRoutes.logs,
    { schema: logsSchema, bodyLimit: o.logsBodyLimit ?? 5 * 1024 * 1024 },
    async (req, reply) => {
      const f = enrolled(reply);
      if (!f) return reply;
      return forward(reply, 202, () => f.logs(req.body));
    },
  );
};

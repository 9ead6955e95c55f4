import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorBody, HttpErrorCode } from '@pa-connector/service-runtime';
import { InternalApiRoutes, SseApiError, SseProtocolError } from '@pa-connector/sse-api';
import type { FastifyReply } from 'fastify';
import type { Drain } from '../drain/drain';
import type { SseForwarder } from './forwarder';
import {
  drainStartSchema,
  drainStateSchema,
  groupSchema,
  logsSchema,
  popStatusSchema,
  releaseSchema,
  updateSlotReleaseSchema,
  updateSlotSchema,
} from './internal-api-contracts';

export interface InternalApiOptions {
  /** Undefined until the connector is enrolled (requests then get 503). */
  forwarder: () =>
    | Pick<
        SseForwarder,
        'popStatus' | 'release' | 'logs' | 'group' | 'updateSlot' | 'updateSlotRelease'
      >
    | undefined;
  /** The connector's own drain (InternalApiRoutes.drain). */
  drain: Pick<Drain, 'start' | 'state' | 'resume'>;
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
  /** DELETE of the drain while the connector stops: a stop's drain cannot be undone. */
  stopping: 'stopping',
} as const;

/**
 * Answers of the SSE passed through as they are: it refused what the caller sent (400, 413,
 * 422), has nothing (404), or the state it holds conflicts (409: the group's update slot taken).
 */
const PASSED_THROUGH: readonly number[] = [400, 404, 409, 413, 422];

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
        if (err.status !== undefined && PASSED_THROUGH.includes(err.status)) {
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

  app.get(InternalApiRoutes.group, { schema: groupSchema }, async (_req, reply) => {
    const f = enrolled(reply);
    if (!f) return reply;
    return forward(reply, 200, () => f.group());
  });

  app.post(InternalApiRoutes.updateSlot, { schema: updateSlotSchema }, async (req, reply) => {
    const f = enrolled(reply);
    if (!f) return reply;
    return forward(reply, 200, () => f.updateSlot(req.body));
  });

  app.post(
    InternalApiRoutes.updateSlotRelease,
    { schema: updateSlotReleaseSchema },
    async (req, reply) => {
      const f = enrolled(reply);
      if (!f) return reply;
      return forward(reply, 200, () => f.updateSlotRelease(req.body));
    },
  );

  app.post(
    InternalApiRoutes.drain,
    {
      schema: drainStartSchema,
      // A bare POST (no body) drains with the configured grace.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => reply.code(202).send(o.drain.start(req.body.graceSeconds)),
  );

  app.get(InternalApiRoutes.drain, { schema: drainStateSchema }, async () => o.drain.state());

  app.delete(InternalApiRoutes.drain, { schema: drainStateSchema }, async (_req, reply) => {
    const r = o.drain.resume();
    if (r === 'stopping') {
      return send(
        reply,
        409,
        InternalErrorCode.stopping,
        'the connector is stopping; its drain cannot be undone',
      );
    }
    return r;
  });
};

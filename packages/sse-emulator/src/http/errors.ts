import { errorBody, SseErrorCode } from '@pa-connector/sse-api';
import type { FastifyError, FastifyInstance } from 'fastify';
import { EmulatorError, invalidRequest } from '../errors';

/**
 * One error shape for both listeners: `{error:{code,message}}`. Client mistakes keep their
 * status with a message saying what was wrong; anything unexpected is a logged 500.
 */
// biome-ignore lint/suspicious/noExplicitAny: shared by the HTTP and HTTPS instances
export function installErrorHandling(app: FastifyInstance<any, any, any, any>): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof EmulatorError) {
      return reply
        .code(err.statusCode)
        .send({ error: { code: err.bodyCode, message: err.message } });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = status === 404 ? SseErrorCode.notFound : SseErrorCode.invalidRequest;
      return reply.code(status).send(errorBody(code, err.message));
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send(errorBody(SseErrorCode.internal, 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody(SseErrorCode.notFound, `no route ${request.method} ${request.url}`)),
  );
  // Bodiless POSTs (token, refresh) often still say application/json: accept an empty body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (cause) {
      done(invalidRequest(`body is not valid JSON: ${(cause as Error).message}`), undefined);
    }
  });
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

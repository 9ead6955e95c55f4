import { type Static, Type } from '@sinclair/typebox';
import type {
  FastifyError,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import fp from 'fastify-plugin';

/** Every error answer of every POP server: a stable code and a message naming what was wrong. */
export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** What a route declares for its error answers (spread into `response`). */
export const ERROR_RESPONSES = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

export const HttpErrorCode = {
  /** The request broke the route's schema (or was not JSON, or was too large). */
  invalidRequest: 'invalid_request',
  internal: 'internal_error',
} as const;

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** `/entries/0/level` as people write it: `entries[0].level`. */
function pathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : `${out}.${p}`), '');
}

/**
 * One sentence per failing field, naming it from the request part down (`body.reportedAt must
 * match format "date-time"`, `querystring.level must be equal to one of the allowed values`).
 * Values are never quoted: a body may carry a secret.
 */
export function describeValidation(
  errors: readonly FastifySchemaValidationError[],
  part: string,
): string {
  const seen = new Set<string>();
  for (const e of errors) {
    const missing = (e.params as { missingProperty?: unknown } | undefined)?.missingProperty;
    const field = `${part}${pathOf(e.instancePath)}`;
    seen.add(
      typeof missing === 'string'
        ? `${field}.${missing} is required`
        : `${field} ${e.message ?? 'is not valid'}`,
    );
  }
  return [...seen].join('; ') || `${part} is not valid`;
}

/** fastify's `schemaErrorFormatter`: the 400 it answers names every failing field. */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], part: string): Error {
  return new Error(describeValidation(errors, part));
}

export interface HttpErrorOptions {
  /** The code of a request that breaks its schema (default `invalid_request`). */
  validationCode?: string;
}

/**
 * Answers every error in the `{error:{code,message}}` shape: a request that breaks its schema,
 * bad JSON or a body too large is the caller's (4xx, `validationCode`); anything else is ours
 * (500, logged).
 */
export function httpErrorHandler(o: HttpErrorOptions = {}) {
  const validationCode = o.validationCode ?? HttpErrorCode.invalidRequest;
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const code = status >= 500 ? HttpErrorCode.internal : validationCode;
    return reply.code(status).send(errorBody(code, err.message));
  };
}

/**
 * Makes the instance answer errors in the shared shape (registered once per server, before its
 * routes; a route plugin may set its own `httpErrorHandler` for a different validation code).
 */
const plugin: FastifyPluginAsync<HttpErrorOptions> = async (app, o) => {
  app.setSchemaErrorFormatter(schemaErrorFormatter);
  app.setErrorHandler(httpErrorHandler(o));
};

export const httpErrorsPlugin = fp(plugin, { name: 'pa-http-errors', fastify: '5.x' });

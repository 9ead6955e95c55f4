import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteOptions,
} from 'fastify';

/**
 * Every route declares its contract on the route itself, so fastify validates what comes in
 * (400 naming the field) and serializes what goes out. A route that forgets one is refused when
 * it is registered: the server does not start, and every test that builds the app says which.
 */
export class RouteSchemaMissing extends Error {
  readonly code = 'route_schema_missing';
  constructor(
    readonly route: string,
    readonly missing: readonly string[],
  ) {
    super(`route ${route} declares no ${missing.join(', ')} schema`);
    this.name = 'RouteSchemaMissing';
  }
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The schema parts a route lacks: a response schema always, `params` when its URL has a
 * parameter, `body` for the methods that carry one. (A route that reads its query string names
 * `querystring` too; that cannot be read off the route, so review and tests keep it.)
 */
export function missingSchemas(route: Pick<RouteOptions, 'method' | 'url' | 'schema'>): string[] {
  const schema = route.schema ?? {};
  const missing: string[] = [];
  const methods = [route.method].flat().map((m) => String(m).toUpperCase());
  if (methods.some((m) => WITH_BODY.has(m)) && schema.body === undefined) missing.push('body');
  if (/[:*]/.test(route.url) && schema.params === undefined) missing.push('params');
  if (schema.response === undefined) missing.push('response');
  return missing;
}

/**
 * Refuses, from now on, any route of `app` (and of the plugins it registers) that lacks a schema
 * part it needs. Call it right after creating the instance, before any route. `exempt` lists
 * URLs whose answer is not JSON and carries no input (`/metrics`).
 */
export function requireRouteSchemas<Logger extends FastifyBaseLogger>(
  app: FastifyInstance<
    RawServerDefault,
    RawRequestDefaultExpression,
    RawReplyDefaultExpression,
    Logger
  >,
  exempt: readonly string[] = [],
): void {
  const skip = new Set(exempt);
  app.addHook('onRoute', (route) => {
    if (skip.has(route.url)) return;
    const missing = missingSchemas(route);
    if (missing.length > 0) {
      throw new RouteSchemaMissing(`${[route.method].flat().join(',')} ${route.url}`, missing);
    }
  });
}

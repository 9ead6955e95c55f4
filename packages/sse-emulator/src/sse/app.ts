import type { ServerOptions } from 'node:https';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireRouteSchemas } from '@pa-connector/service-runtime';
import type { SsePurpose } from '@pa-connector/sse-api';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { installErrorHandling } from '../http/errors';
import { schemaOptions } from '../http/schema-errors';
import { connectorRoutes } from './connector-routes';
import type { SseApp, SseDeps } from './deps';
import { enrollmentRoutes } from './enrollment-routes';
import { faultHook } from './fault-hook';
import { groupRoutes } from './group-routes';
import { purposeFilter } from './purpose-filter';

export interface SseAppOptions extends SseDeps {
  logger: FastifyBaseLogger;
  /** TLS server key, certificate and the CA whose client certificates are asked for. */
  tls: { keyPem: string; certPem: string; caPem: string };
  /** Serve only these purposes' routes (a listener of the firewall table); unset: all of them. */
  purposes?: readonly SsePurpose[];
}

/** The SSE API over HTTPS. No side effects until the caller listens (tests use inject()). */
export function buildSseApp(o: SseAppOptions): SseApp {
  const https: ServerOptions = {
    key: o.tls.keyPem,
    cert: o.tls.certPem,
    ca: [o.tls.caPem],
    requestCert: true,
    // Registration has no certificate yet; every other route checks the chain itself.
    rejectUnauthorized: false,
  };
  const app: SseApp = Fastify({
    https,
    loggerInstance: o.logger,
    ...schemaOptions,
  }).withTypeProvider<TypeBoxTypeProvider>();
  requireRouteSchemas(app);
  installErrorHandling(app);
  if (o.purposes) purposeFilter(app, o.purposes);
  faultHook(app, o);
  enrollmentRoutes(app, o);
  connectorRoutes(app, o);
  groupRoutes(app, o);
  return app;
}

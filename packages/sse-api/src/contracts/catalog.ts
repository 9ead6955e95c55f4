import { type Static, Type } from '@sinclair/typebox';
import { Port } from './common';

export const LoadBalancingStrategy = Type.Union([
  Type.Literal('round-robin'),
  Type.Literal('least-connections'),
]);
export type LoadBalancingStrategy = Static<typeof LoadBalancingStrategy>;

/** Methods an HTTP health check may use: they have no side effects on the app. */
export const HealthCheckMethod = Type.Union([Type.Literal('GET'), Type.Literal('HEAD')]);
export type HealthCheckMethod = Static<typeof HealthCheckMethod>;

export const HealthCheck = Type.Union([
  Type.Object({ type: Type.Literal('tcp') }),
  Type.Object({
    type: Type.Literal('http'),
    path: Type.String(),
    expectStatus: Type.Integer(),
    method: Type.Optional(HealthCheckMethod),
  }),
]);
export type HealthCheck = Static<typeof HealthCheck>;

export const AppServer = Type.Object({
  /** Hostname, IPv4 or IPv6 literal (without brackets). */
  host: Type.String(),
  port: Port,
});
export type AppServer = Static<typeof AppServer>;

/**
 * A private application. Users reach it as `host:port` (the CONNECT target); the connector
 * forwards to one of `servers`. The connector checks each entry further (hostnames, limits).
 */
export const CatalogApp = Type.Object({
  id: Type.String(),
  name: Type.String(),
  host: Type.String(),
  port: Port,
  servers: Type.Array(AppServer),
  strategy: LoadBalancingStrategy,
  healthCheck: HealthCheck,
});
export type CatalogApp = Static<typeof CatalogApp>;

/**
 * What the SSE sends. Apps are `unknown` on the wire: the connector validates each entry and
 * rejects bad ones while applying the rest (one bad app must not cost the others).
 */
export const CatalogResponse = Type.Object({
  version: Type.String(),
  apps: Type.Array(Type.Unknown(), { description: 'a list' }),
});
export type CatalogResponse = Static<typeof CatalogResponse>;

/**
 * The catalog answer as read by the client: older SSEs send the version as a number, which
 * the client turns into a string.
 */
export const CatalogAnswer = Type.Object({
  version: Type.Union([Type.String(), Type.Number()], { description: 'a string or number' }),
  apps: Type.Array(Type.Unknown(), { description: 'a list' }),
});

import { type Static, Type } from '@sinclair/typebox';
import { Port } from './common';

export const AppState = Type.Union([
  Type.Literal('up'),
  Type.Literal('unhealthy'),
  Type.Literal('down'),
]);
export type AppState = Static<typeof AppState>;

/** One app's health as the connector sees it, server by server. */
export const AppHealthReport = Type.Object({
  id: Type.String(),
  state: AppState,
  servers: Type.Array(Type.Object({ host: Type.String(), port: Port, up: Type.Boolean() })),
});

/**
 * A health update: to the SSE, and over each tunnel to its gateway. `connectorId` is the
 * caller's own (the SSE refuses another one).
 */
export const HealthUpdate = Type.Object({
  connectorId: Type.String(),
  sentAt: Type.String(),
  /** Which tunnel carried this update, when sent over a tunnel. */
  tunnel: Type.Optional(Type.String()),
  /**
   * TCP port (1-65535) of the connector's CONNECT proxy on this tunnel: it listens on the
   * connector's tunnel address, the source address of this update. The gateway's user ingress
   * opens user connections there.
   */
  proxyPort: Type.Optional(Port),
  /**
   * The connector is draining (stopping, updating, or told to drain): the ingress sends it no new
   * users; streams already open go on. Absent means false.
   */
  draining: Type.Optional(Type.Boolean()),
  apps: Type.Array(AppHealthReport),
});
export type HealthUpdate = Static<typeof HealthUpdate>;

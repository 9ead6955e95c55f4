import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Text, Timestamp } from './common';

/**
 * How the cloud sees one connector of a group:
 * - `active`: a fresh health update on at least one tunnel, not draining;
 * - `draining`: its latest fresh update says it is draining (no new users go there);
 * - `silent`: no fresh health update on any tunnel (stopped, cut off or frozen).
 */
export const GroupConnectorState = Type.Union([
  Type.Literal('active'),
  Type.Literal('draining'),
  Type.Literal('silent'),
]);
export type GroupConnectorState = Static<typeof GroupConnectorState>;

export const GroupConnector = Type.Object({
  id: Text(),
  hostname: Type.String(),
  state: GroupConnectorState,
  /** Tunnels whose latest health update is fresh. */
  freshTunnels: Type.Integer({ minimum: 0 }),
});
export type GroupConnector = Static<typeof GroupConnector>;

/** The slot a connector of the group holds while it updates (null: nobody). */
export const UpdateSlotHolder = Type.Object({
  connectorId: Text(),
  leaseId: Text(),
  expiresAt: Timestamp,
});
export type UpdateSlotHolder = Static<typeof UpdateSlotHolder>;

/**
 * GET SseRoutes.group (and InternalApiRoutes.group): the caller's group as the cloud sees it.
 * `connectors` includes the caller; its peers are the others.
 */
export const GroupInfo = Type.Object({
  groupId: Text(),
  name: Type.String(),
  connectors: Type.Array(GroupConnector),
  updateSlot: Nullable(UpdateSlotHolder),
});
export type GroupInfo = Static<typeof GroupInfo>;

/**
 * POST SseRoutes.updateSlot: take (or renew, when the caller already holds it) the group's
 * update slot for `ttlSeconds`. 200 UpdateSlotGrant; 409 `update_slot_taken` when another
 * connector of the group holds an unexpired lease (the message names it and its expiry).
 */
export const UpdateSlotRequest = Type.Object({
  ttlSeconds: Type.Integer({ minimum: 10, maximum: 3600, description: 'seconds 10-3600' }),
});
export type UpdateSlotRequest = Static<typeof UpdateSlotRequest>;

export const UpdateSlotGrant = Type.Object({
  connectorId: Text(),
  leaseId: Text(),
  expiresAt: Timestamp,
});
export type UpdateSlotGrant = Static<typeof UpdateSlotGrant>;

/**
 * POST SseRoutes.updateSlotRelease: give the slot back. 200 `{released: true}` when the lease was
 * the caller's and current, `{released: false}` when it had expired or was not held (idempotent).
 */
export const UpdateSlotReleaseRequest = Type.Object({ leaseId: Text() });
export type UpdateSlotReleaseRequest = Static<typeof UpdateSlotReleaseRequest>;

export const UpdateSlotReleaseResponse = Type.Object({ released: Type.Boolean() });
export type UpdateSlotReleaseResponse = Static<typeof UpdateSlotReleaseResponse>;

/** Error code of a 409 on SseRoutes.updateSlot (also passed through by the internal API). */
export const UPDATE_SLOT_TAKEN = 'update_slot_taken';

/**
 * POST InternalApiRoutes.drain: start draining (idempotent). The connector tells both gateways
 * at once (health updates with `draining: true`), its proxy refuses new streams (503), and open
 * ones may finish until `graceSeconds` (default PA_PROXY_DRAIN_GRACE) have passed, after which
 * they are cut. It keeps running, draining, until stopped or until DELETE InternalApiRoutes.drain
 * takes it back into service. 202 DrainState. GET answers the DrainState.
 */
export const DrainRequest = Type.Object({
  graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
});
export type DrainRequest = Static<typeof DrainRequest>;

export const DrainState = Type.Object({
  draining: Type.Boolean(),
  /** When the drain began (absent when not draining). */
  since: Type.Optional(Timestamp),
  /** Proxied streams still open. */
  openConnections: Type.Integer({ minimum: 0 }),
  /** Draining and nothing left open (or the grace has passed and the rest were cut). */
  drained: Type.Boolean(),
});
export type DrainState = Static<typeof DrainState>;

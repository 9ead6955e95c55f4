import { SseRoutes } from '@pa-connector/sse-api';
import { systemClock } from '../clock';
import { groupInfo } from '../groups/group-info';
import { authenticate, type SseApp, type SseDeps } from './deps';
import { SseRouteSchemas as schemas } from './route-schemas';

/**
 * The caller's group: its connectors as the gateways hear them, and the group's update slot,
 * a lease one connector at a time holds while it updates.
 */
export function groupRoutes(app: SseApp, deps: SseDeps): void {
  const clock = deps.clock ?? systemClock;

  app.get(SseRoutes.group, { schema: schemas.group }, async (request) => {
    const { connector, changed } = authenticate(deps, request, { token: true });
    if (changed) await deps.persist();
    return groupInfo(deps.state, connector.groupId, deps.health, clock);
  });

  app.post(SseRoutes.updateSlot, { schema: schemas.updateSlot }, async (request) => {
    const { connector } = authenticate(deps, request, { token: true });
    const grant = deps.state.takeUpdateSlot(connector, request.body.ttlSeconds);
    request.log.info(
      { connectorId: connector.id, groupId: connector.groupId, expiresAt: grant.expiresAt },
      "group's update slot granted",
    );
    await deps.persist();
    return grant;
  });

  app.post(SseRoutes.updateSlotRelease, { schema: schemas.updateSlotRelease }, async (request) => {
    const { connector } = authenticate(deps, request, { token: true });
    const released = deps.state.releaseUpdateSlot(connector, request.body.leaseId);
    request.log.info(
      { connectorId: connector.id, groupId: connector.groupId, released },
      "group's update slot release",
    );
    await deps.persist();
    return { released };
  });
}

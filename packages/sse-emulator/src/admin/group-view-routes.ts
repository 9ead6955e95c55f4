import type { Static } from '@sinclair/typebox';
import { groupConnectors } from '../groups/group-info';
import type { AdminApp, AdminDeps } from './deps';
import { answers, FreedUpdateSlot, GroupOperatorView, IdParams } from './schemas';

type OperatorView = Static<typeof GroupOperatorView>;

/**
 * The operator's view of a group: its connectors as the gateways last heard from them (state,
 * tunnels, app states), what the user ingress sent to each, and who holds the update slot.
 */
export function groupViewRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state } = deps;
  const none = { carried: 0, active: 0, refused: 0, failed: 0 };

  app.get(
    '/admin/groups/:id/view',
    { schema: { params: IdParams, response: answers({ 200: GroupOperatorView }) } },
    async (request): Promise<OperatorView> => {
      const group = state.group(request.params.id);
      const counts = new Map(
        (deps.ingress?.stats.connectors() ?? []).map(({ connectorId, ...c }) => [connectorId, c]),
      );
      return {
        group: { id: group.id, name: group.name, maxConnectors: group.maxConnectors ?? 1 },
        connectors: groupConnectors(state, group.id, deps.gateways, deps.clock).map(
          ({ connector, health }) => ({
            id: connector.id,
            hostname: connector.hostname,
            state: health.state,
            draining: health.state === 'draining',
            tunnels: health.tunnels,
            apps: health.apps,
            ingress: counts.get(connector.id) ?? none,
          }),
        ),
        updateSlot: state.updateSlot(group.id),
      };
    },
  );

  app.delete(
    '/admin/groups/:id/update-slot',
    { schema: { params: IdParams, response: answers({ 200: FreedUpdateSlot }) } },
    async (request) => {
      const freed = state.freeUpdateSlot(request.params.id);
      request.log.warn(
        { groupId: request.params.id, holder: freed?.connectorId ?? null },
        "group's update slot freed by the operator",
      );
      await deps.persist();
      return { freed };
    },
  );
}

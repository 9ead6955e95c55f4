import type { GroupInfo } from '@pa-connector/sse-api';
import type { Clock } from '../clock';
import type { EmulatorState } from '../state/emulator-state';
import type { ConnectorRecord } from '../state/model';
import { type ConnectorHealth, connectorHealth, type HealthSource } from './connector-health';

/** Every enrolled connector of the group, each with how its gateways last heard from it. */
export function groupConnectors(
  state: Pick<EmulatorState, 'listConnectors'>,
  groupId: string,
  health: HealthSource | undefined,
  clock: Clock,
): { connector: ConnectorRecord; health: ConnectorHealth }[] {
  const connectors = state
    .listConnectors()
    .filter((c) => c.groupId === groupId)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Without gateways nothing is heard from any tunnel: every connector is silent.
  const seen = connectorHealth(
    connectors.map((c) => c.id),
    health?.tunnels() ?? [],
    clock.now().getTime(),
    (health?.healthStaleSeconds ?? 0) * 1000,
  );
  return connectors.map((connector) => ({
    connector,
    health: seen.get(connector.id) as ConnectorHealth,
  }));
}

/** The caller's group as the cloud sees it (SseRoutes.group). */
export function groupInfo(
  state: Pick<EmulatorState, 'listConnectors' | 'group' | 'updateSlot'>,
  groupId: string,
  health: HealthSource | undefined,
  clock: Clock,
): GroupInfo {
  const group = state.group(groupId);
  return {
    groupId: group.id,
    name: group.name,
    connectors: groupConnectors(state, groupId, health, clock).map(({ connector, health: h }) => ({
      id: connector.id,
      hostname: connector.hostname,
      state: h.state,
      freshTunnels: h.freshTunnels,
    })),
    updateSlot: state.updateSlot(groupId),
  };
}

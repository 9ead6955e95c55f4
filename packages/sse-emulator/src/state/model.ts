import type { AppRecord } from './apps';
import type { GroupRecord } from './catalogs';
import type { ConnectorRecord } from './connectors';
import type { ProvisioningKeyRecord } from './provisioning-keys';
import type { ReleaseData } from './releases';
import { emptyAssignments, type TunnelAssignments } from './tunnel-addresses';
import type { UpdateSlotRecord } from './update-slots';

export type { AppRecord } from './apps';
export type { GroupRecord } from './catalogs';
export type { ConnectorRecord } from './connectors';
export type { ProvisioningKeyRecord } from './provisioning-keys';

/**
 * Everything the emulator knows, as persisted in `<data-dir>/state.json`: each aggregate's
 * file defines the shape of its part.
 */
export interface StateData extends ReleaseData {
  schema: 1;
  /** The emulator's own tenant, made on first start (absent in older files). */
  customerId?: string;
  groups: Record<string, GroupRecord>;
  keys: Record<string, ProvisioningKeyRecord>;
  connectors: Record<string, ConnectorRecord>;
  /** Tunnel networks and fixed connector addresses per gateway (absent in older files). */
  tunnels: TunnelAssignments;
  /** Apps associated with groups (absent in older files). */
  apps: Record<string, AppRecord>;
  /** Each group's update slot lease, by group id (absent in older files). */
  updateSlots: Record<string, UpdateSlotRecord>;
}

export function emptyState(): StateData {
  return {
    schema: 1,
    groups: {},
    keys: {},
    connectors: {},
    release: null,
    tunnels: emptyAssignments(),
    apps: {},
    updateSlots: {},
  };
}

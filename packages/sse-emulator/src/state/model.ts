import type { HealthUpdate, PopStatusReport, ReleaseManifest } from '@pa-connector/sse-api';
import { emptyAssignments, type TunnelAssignments } from './tunnel-addresses';

/** Everything the emulator knows, as persisted in `<data-dir>/state.json`. */
export interface StateData {
  schema: 1;
  groups: Record<string, GroupRecord>;
  keys: Record<string, ProvisioningKeyRecord>;
  connectors: Record<string, ConnectorRecord>;
  release: ReleaseManifest | null;
  /** Tunnel networks and fixed connector addresses per gateway (absent in older files). */
  tunnels: TunnelAssignments;
}

export interface GroupRecord {
  id: string;
  name: string;
  /** Default PoP of connectors registered with this group's keys. */
  pop: string;
  /** Catalog entries, stored as given so tests can publish bad ones. */
  apps: unknown[];
  /** Bumped on every catalog change; the catalog's ETag is `"<version>"`. */
  catalogVersion: number;
  createdAt: string;
}

export interface ProvisioningKeyRecord {
  /** The public part of `pak1.<keyId>.<secret>`. */
  id: string;
  groupId: string;
  /** sha256 of the secret, hex. The secret itself is never stored. */
  secretSha256: string;
  maxUses: number;
  uses: number;
  expiresAt: string | null;
  revoked: boolean;
  revokedAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Received<T> {
  receivedAt: string;
  body: T;
}

export interface ConnectorRecord {
  id: string;
  groupId: string;
  /** The provisioning key (id) it registered with. */
  keyId: string;
  hostname: string;
  pop: string;
  version: string | null;
  certSerial: string;
  certExpiresAt: string;
  /** Issued by a renewal, accepted alongside the current one until first used. */
  pendingCertSerial: string | null;
  pendingCertExpiresAt: string | null;
  /** The pending certificate and its key's hash: a renewal repeated with the same key gets it again. */
  pendingRenewal?: { publicKeySha256: string; certificatePem: string } | null;
  revokedSerials: string[];
  /**
   * What the registration issued, so that the same registration sent again (its answer was lost)
   * gets the same answer instead of using up another key use. Absent in older state files.
   */
  registration?: RegistrationRecord;
  registeredAt: string;
  lastSeenAt: string;
  /** sha256 of the one active access token. */
  tokenSha256: string | null;
  tokenExpiresAt: string | null;
  health: Received<HealthUpdate> | null;
  healthHistory: Array<Received<HealthUpdate>>;
  popStatus: Received<PopStatusReport> | null;
  popStatusHistory: Array<Received<PopStatusReport>>;
  logBatches: number;
  logEntries: number;
  recentLogs: Array<Record<string, unknown>>;
}

export interface RegistrationRecord {
  /** sha256 of the CSR's public key (PEM), hex. */
  publicKeySha256: string;
  /** The certificate issued at registration. */
  certificatePem: string;
  certSerial: string;
}

/** How much ingest history each connector keeps (the admin API shows it). */
export const HISTORY_LIMIT = 20;
export const RECENT_LOGS_LIMIT = 200;

export function emptyState(): StateData {
  return {
    schema: 1,
    groups: {},
    keys: {},
    connectors: {},
    release: null,
    tunnels: emptyAssignments(),
  };
}

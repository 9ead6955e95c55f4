import type { Static } from '@sinclair/typebox';
import type { ConnectorRecord, GroupRecord, ProvisioningKeyRecord } from '../state/model';
import type { ConnectorSummary, ConnectorView, GroupSummary, GroupView, KeyView } from './schemas';

/**
 * What the admin API shows. Hashes of secrets and tokens never leave the emulator. A group's
 * apps are its whole catalog: its own entries, then the apps associated with it.
 */
export function groupSummary(g: GroupRecord, catalog: unknown[]): Static<typeof GroupSummary> {
  return {
    id: g.id,
    name: g.name,
    customerId: g.customerId,
    maxConnectors: g.maxConnectors ?? 1,
    keyId: g.keyId ?? null,
    region: g.region,
    catalogVersion: g.catalogVersion,
    appCount: catalog.length,
    createdAt: g.createdAt,
  };
}

export function groupView(g: GroupRecord, catalog: unknown[]): Static<typeof GroupView> {
  return { ...groupSummary(g, catalog), apps: catalog };
}

export type KeyStatus = Static<typeof KeyView>['status'];

export function keyView(k: ProvisioningKeyRecord, now: Date): Static<typeof KeyView> {
  const status: KeyStatus = k.revoked
    ? 'revoked'
    : k.expiresAt !== null && now.getTime() >= Date.parse(k.expiresAt)
      ? 'expired'
      : k.uses >= k.maxUses
        ? 'exhausted'
        : 'active';
  return {
    id: k.id,
    groupId: k.groupId,
    status,
    maxUses: k.maxUses,
    uses: k.uses,
    expiresAt: k.expiresAt,
    revoked: k.revoked,
    revokedAt: k.revokedAt,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
  };
}

export function connectorSummary(c: ConnectorRecord): Static<typeof ConnectorSummary> {
  return {
    id: c.id,
    groupId: c.groupId,
    keyId: c.keyId,
    hostname: c.hostname,
    region: c.region,
    version: c.version,
    registeredAt: c.registeredAt,
    lastSeenAt: c.lastSeenAt,
    certificate: { serial: c.certSerial, expiresAt: c.certExpiresAt },
    pendingCertificate: c.pendingCertSerial
      ? { serial: c.pendingCertSerial, expiresAt: c.pendingCertExpiresAt }
      : null,
    token: c.tokenExpiresAt ? { expiresAt: c.tokenExpiresAt } : null,
    health: c.health,
    popStatus: c.popStatus,
    logBatches: c.logBatches,
    logEntries: c.logEntries,
    collectors: c.collectors ?? {},
  };
}

export function connectorView(c: ConnectorRecord): Static<typeof ConnectorView> {
  return {
    ...connectorSummary(c),
    revokedSerials: c.revokedSerials,
    healthHistory: c.healthHistory,
    popStatusHistory: c.popStatusHistory,
    recentLogs: c.recentLogs,
  };
}

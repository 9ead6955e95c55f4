import type { ConnectorRecord, GroupRecord, ProvisioningKeyRecord } from '../state/model';

/** What the admin API shows. Hashes of secrets and tokens never leave the emulator. */
export function groupView(g: GroupRecord, withApps: boolean) {
  return {
    id: g.id,
    name: g.name,
    pop: g.pop,
    catalogVersion: g.catalogVersion,
    appCount: g.apps.length,
    createdAt: g.createdAt,
    ...(withApps ? { apps: g.apps } : {}),
  };
}

export type KeyStatus = 'active' | 'revoked' | 'expired' | 'exhausted';

export function keyView(k: ProvisioningKeyRecord, now: Date) {
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

export function connectorView(c: ConnectorRecord, detail: boolean) {
  const summary = {
    id: c.id,
    groupId: c.groupId,
    keyId: c.keyId,
    hostname: c.hostname,
    pop: c.pop,
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
  };
  if (!detail) return summary;
  return {
    ...summary,
    revokedSerials: c.revokedSerials,
    healthHistory: c.healthHistory,
    popStatusHistory: c.popStatusHistory,
    recentLogs: c.recentLogs,
  };
}

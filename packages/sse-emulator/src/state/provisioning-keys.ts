import { formatProvisioningKey, parseProvisioningKey, SseErrorCode } from '@pa-connector/sse-api';
import { EmulatorError, invalidRequest, notFound } from '../errors';
import type { Catalogs } from './catalogs';
import { digestsEqual, sha256Hex } from './secrets';
import { hexId, nowIso, type StateContext } from './state-context';

/** A provisioning key, as persisted under `keys` in `state.json`. */
export interface ProvisioningKeyRecord {
  /** The key's `keyId`: public, shown in listings. */
  id: string;
  groupId: string;
  /** What the key carries besides its id and secret: its group's name and tenant when made. */
  connectorName: string;
  customerId: string;
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

export interface CreatedKey {
  record: ProvisioningKeyRecord;
  /** The full key (base64url JSON with the secret): returned once, never stored. */
  key: string;
}

/** Provisioning keys: created per group, each usable as many times as it allows. */
export class ProvisioningKeys {
  constructor(
    private readonly keys: Record<string, ProvisioningKeyRecord>,
    private readonly catalogs: Catalogs,
    private readonly ctx: StateContext,
  ) {}

  create(groupId: string, input: { maxUses?: number; expiresAt?: Date }): CreatedKey {
    this.catalogs.get(groupId);
    const maxUses = input.maxUses ?? 1;
    if (!Number.isInteger(maxUses) || maxUses < 1) {
      throw invalidRequest(`maxUses must be an integer >= 1, got ${maxUses}`);
    }
    return this.issue(groupId, {
      maxUses,
      uses: 0,
      expiresAt: input.expiresAt?.toISOString() ?? null,
    });
  }

  /**
   * Replaces the group's own key: the old one is revoked and the new one has the uses the old
   * one had left (same maximum, same count, same expiry), so a rotation changes the secret, never
   * how many more connectors may enroll. A group without a key of its own gets a fresh one for
   * its maxConnectors. The group's other keys are left as they are.
   */
  rotate(groupId: string): { created: CreatedKey; revoked: ProvisioningKeyRecord | null } {
    const group = this.catalogs.get(groupId);
    const old = group.keyId ? this.keys[group.keyId] : undefined;
    const created = this.issue(
      groupId,
      old
        ? { maxUses: old.maxUses, uses: old.uses, expiresAt: old.expiresAt }
        : { maxUses: group.maxConnectors ?? 1, uses: 0, expiresAt: null },
    );
    if (old) this.revoke(old.id);
    group.keyId = created.record.id;
    return { created, revoked: old ?? null };
  }

  private issue(
    groupId: string,
    counts: { maxUses: number; uses: number; expiresAt: string | null },
  ): CreatedKey {
    const group = this.catalogs.get(groupId);
    const secret = this.ctx.random(32).toString('base64url');
    const record: ProvisioningKeyRecord = {
      id: hexId(this.ctx, 8),
      groupId,
      connectorName: group.name,
      customerId: group.customerId,
      secretSha256: sha256Hex(secret),
      maxUses: counts.maxUses,
      uses: counts.uses,
      expiresAt: counts.expiresAt,
      revoked: false,
      revokedAt: null,
      createdAt: nowIso(this.ctx),
      lastUsedAt: null,
    };
    const key = formatProvisioningKey({
      connectorName: record.connectorName,
      customerId: record.customerId,
      keyId: record.id,
      secret,
      groupId,
    });
    this.keys[record.id] = record;
    return { record, key };
  }

  list(groupId: string): ProvisioningKeyRecord[] {
    this.catalogs.get(groupId);
    return Object.values(this.keys).filter((k) => k.groupId === groupId);
  }

  get(keyId: string): ProvisioningKeyRecord {
    const key = this.keys[keyId];
    if (!key) throw notFound(`no provisioning key ${keyId}`);
    return key;
  }

  revoke(keyId: string): ProvisioningKeyRecord {
    const key = this.get(keyId);
    if (!key.revoked) {
      key.revoked = true;
      key.revokedAt = nowIso(this.ctx);
    }
    return key;
  }

  /**
   * The key a full key names, if its secret matches and it carries what was issued with it (a
   * key whose name, tenant or group was edited is not that key); whether it is usable is separate.
   */
  identify(provisioningKey: string): ProvisioningKeyRecord {
    const parsed = parseProvisioningKey(provisioningKey);
    if (!parsed.ok) {
      throw new EmulatorError(
        SseErrorCode.provisioningKeyMalformed,
        `provisioningKey is malformed: ${parsed.reason}`,
      );
    }
    const given = parsed.key;
    const key = this.keys[given.keyId];
    if (
      !key ||
      !digestsEqual(key.secretSha256, sha256Hex(given.secret)) ||
      given.connectorName !== key.connectorName ||
      given.customerId !== key.customerId ||
      (given.groupId !== undefined && given.groupId !== key.groupId)
    ) {
      throw new EmulatorError(SseErrorCode.provisioningKeyInvalid, 'unknown provisioning key');
    }
    return key;
  }

  /** Refuses a key that is revoked, expired or used up at `now`. */
  checkUsable(key: ProvisioningKeyRecord, now: Date): void {
    if (key.revoked) {
      throw new EmulatorError(
        SseErrorCode.provisioningKeyRevoked,
        `provisioning key ${key.id} was revoked`,
      );
    }
    if (key.expiresAt !== null && now.getTime() >= Date.parse(key.expiresAt)) {
      throw new EmulatorError(
        SseErrorCode.provisioningKeyExpired,
        `provisioning key ${key.id} expired at ${key.expiresAt}`,
      );
    }
    if (key.uses >= key.maxUses) {
      throw new EmulatorError(
        SseErrorCode.provisioningKeyExhausted,
        `provisioning key ${key.id} has been used ${key.uses} of ${key.maxUses} times`,
      );
    }
  }

  /** Counts one use (a registration that passed every check). */
  consume(key: ProvisioningKeyRecord, now: Date): void {
    key.uses += 1;
    key.lastUsedAt = now.toISOString();
  }
}

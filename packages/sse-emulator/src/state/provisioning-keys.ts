import { formatProvisioningKey, parseProvisioningKey, SseErrorCode } from '@pa-connector/sse-api';
import { EmulatorError, invalidRequest, notFound } from '../errors';
import type { Catalogs } from './catalogs';
import { digestsEqual, sha256Hex } from './secrets';
import { hexId, nowIso, type StateContext } from './state-context';

/** A provisioning key, as persisted under `keys` in `state.json`. */
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

export interface CreatedKey {
  record: ProvisioningKeyRecord;
  /** The full `pak1.` key: returned once, never stored. */
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
    const secret = this.ctx.random(32).toString('base64url');
    const record: ProvisioningKeyRecord = {
      id: hexId(this.ctx, 8),
      groupId,
      secretSha256: sha256Hex(secret),
      maxUses,
      uses: 0,
      expiresAt: input.expiresAt ? input.expiresAt.toISOString() : null,
      revoked: false,
      revokedAt: null,
      createdAt: nowIso(this.ctx),
      lastUsedAt: null,
    };
    this.keys[record.id] = record;
    return { record, key: formatProvisioningKey(record.id, secret) };
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

  /** The key a full `pak1.` key names, if its secret matches; whether it is usable is separate. */
  identify(provisioningKey: string): ProvisioningKeyRecord {
    const parsed = parseProvisioningKey(provisioningKey);
    if (!parsed) {
      throw new EmulatorError(
        SseErrorCode.provisioningKeyMalformed,
        'provisioningKey does not have the pak1.<keyId>.<secret> format',
      );
    }
    const key = this.keys[parsed.keyId];
    if (!key || !digestsEqual(key.secretSha256, sha256Hex(parsed.secret))) {
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

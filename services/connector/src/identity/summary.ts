import { certificateInfo } from '@pa-connector/pki';
import type { RedisKeys } from '@pa-connector/redis-contracts';
import type { Redis } from '@pa-connector/service-runtime';
import type { Identity, IdentitySummary } from './identity';

export function summarize(identity: Identity): IdentitySummary {
  const info = certificateInfo(identity.certificatePem);
  return {
    connectorId: identity.connectorId,
    groupId: identity.groupId,
    region: identity.region,
    hostname: identity.hostname,
    certificateSerial: info.serialNumber,
    certificateNotBefore: info.notBefore.toISOString(),
    certificateExpiresAt: info.notAfter.toISOString(),
    enrolledAt: identity.enrolledAt,
    ...(identity.renewedAt ? { renewedAt: identity.renewedAt } : {}),
    gateways: identity.gateways,
  };
}

/** Writes the summary to the `connectorIdentity()` hash (all values strings; gateways as JSON). */
export async function publishIdentity(
  redis: Redis,
  keys: RedisKeys,
  s: IdentitySummary,
): Promise<void> {
  const key = keys.connectorIdentity();
  const fields: Record<string, string> = {
    connectorId: s.connectorId,
    groupId: s.groupId,
    region: s.region,
    hostname: s.hostname,
    certificateSerial: s.certificateSerial,
    certificateNotBefore: s.certificateNotBefore,
    certificateExpiresAt: s.certificateExpiresAt,
    enrolledAt: s.enrolledAt,
    renewedAt: s.renewedAt ?? '',
    gateways: JSON.stringify(s.gateways),
  };
  await redis.multi().del(key).hset(key, fields).exec();
}

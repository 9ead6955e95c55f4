import type { SseEndpoint } from '@pa-connector/sse-api';
import type { MalformedVariant } from './fault-table';

/** Status a successful answer of the endpoint has; a malformed answer pretends to succeed. */
const SUCCESS_STATUS: Record<SseEndpoint, number> = {
  register: 201,
  token: 200,
  refresh: 200,
  renew: 200,
  catalog: 200,
  health: 202,
  popStatus: 202,
  release: 200,
  logs: 202,
  group: 200,
  updateSlot: 200,
  updateSlotRelease: 200,
};

/** Valid JSON that lacks what a client must find (certificate, token, apps, ...). */
const MISSING_FIELDS: Record<SseEndpoint, Record<string, unknown>> = {
  register: {
    connectorId: 'con_0000000000000000',
    groupId: 'grp_0000000000000000',
    region: 'local',
  },
  token: { tokenType: 'Bearer', expiresIn: 3600 },
  refresh: { tokenType: 'Bearer', expiresIn: 3600 },
  renew: { certificateExpiresAt: '1970-01-01T00:00:00.000Z' },
  catalog: { version: '0' },
  health: { ok: true },
  popStatus: { ok: true },
  release: { version: '0.0.0' },
  logs: { ok: true },
  group: { groupId: 'grp_0000000000000000' },
  updateSlot: { connectorId: 'con_0000000000000000' },
  updateSlotRelease: { ok: true },
};

export function malformedResponse(
  endpoint: SseEndpoint,
  variant: MalformedVariant,
): { status: number; payload: string } {
  const payload =
    variant === 'not-json' ? '{"truncated": tru' : JSON.stringify(MISSING_FIELDS[endpoint]);
  return { status: SUCCESS_STATUS[endpoint], payload };
}

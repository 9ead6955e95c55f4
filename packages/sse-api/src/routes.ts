/**
 * Paths of the SSE (cloud) API. Every request except `register` is made over mutual TLS with
 * the connector's client certificate; every request except `register` and `token` also carries
 * `Authorization: Bearer <accessToken>`.
 */
export const SseRoutes = {
  /** POST RegisterRequest -> 201 RegisterResponse. The provisioning key authenticates. */
  register: '/v1/connectors/register',
  /** POST (no body) over mTLS -> TokenResponse. Issuing a token revokes the connector's previous one. */
  token: '/v1/auth/token',
  /** POST (no body) over mTLS + current bearer -> TokenResponse; the presented token stops working. */
  refresh: '/v1/auth/refresh',
  /** POST RenewRequest -> RenewResponse. The old certificate is refused once the new one is used. */
  renew: '/v1/connectors/self/certificate',
  /** GET -> 200 CatalogResponse with an ETag, or 304 when If-None-Match matches. */
  catalog: '/v1/catalog',
  /** POST HealthUpdate -> 202 AcceptedResponse. */
  health: '/v1/health',
  /** POST PopStatusReport -> 202 AcceptedResponse. */
  popStatus: '/v1/pop/status',
  /** GET -> 200 ReleaseManifest, or 404 not_found when none is published. */
  release: '/v1/release',
  /** POST LogBatch -> 202 AcceptedResponse. */
  logs: '/v1/logs',
  /** GET -> 200 GroupInfo: the caller's group, its connectors and its update slot. */
  group: '/v1/group',
  /** POST UpdateSlotRequest -> 200 UpdateSlotGrant, or 409 update_slot_taken. */
  updateSlot: '/v1/group/update-slot',
  /** POST UpdateSlotReleaseRequest -> 200 UpdateSlotReleaseResponse. */
  updateSlotRelease: '/v1/group/update-slot/release',
} as const;

export type SseEndpoint = keyof typeof SseRoutes;
export const SSE_ENDPOINTS = Object.keys(SseRoutes) as SseEndpoint[];

/**
 * The connector's internal API: how the other POP services reach the SSE. The connector attaches
 * its access token, retries, and fails over between SSE URLs. Bodies are the SSE's own types.
 */
export const InternalApiRoutes = {
  /** POST PopStatusReport -> 202 AcceptedResponse (forwarded to SseRoutes.popStatus). */
  popStatus: '/internal/v1/pop/status',
  /** GET -> ReleaseManifest (from SseRoutes.release). */
  release: '/internal/v1/release',
  /** POST LogBatch -> 202 AcceptedResponse (forwarded to SseRoutes.logs). */
  logs: '/internal/v1/logs',
  /** GET -> GroupInfo (from SseRoutes.group). */
  group: '/internal/v1/group',
  /** POST UpdateSlotRequest -> UpdateSlotGrant, or 409 update_slot_taken (SseRoutes.updateSlot). */
  updateSlot: '/internal/v1/update-slot',
  /** POST UpdateSlotReleaseRequest -> UpdateSlotReleaseResponse (SseRoutes.updateSlotRelease). */
  updateSlotRelease: '/internal/v1/update-slot/release',
  /**
   * The connector's own drain, not forwarded: POST DrainRequest -> 202 DrainState (start),
   * GET -> 200 DrainState, DELETE -> 200 DrainState (back in service).
   */
  drain: '/internal/v1/drain',
} as const;

export type InternalEndpoint = keyof typeof InternalApiRoutes;

/**
 * What each part of the SSE API is for: the rows of the operator documentation's firewall table.
 * Each purpose has its own endpoint (its own host and port), so a connector reaches it with its
 * own base URL:
 * - `registration`: enrollment and certificate renewal (the provisioning key, then the
 *   connector's certificate); `wgcs.<domain>:8080` in SaaS;
 * - `tokens`: the IAM service that issues and refreshes access tokens;
 * - `catalog`: configuration the connector pulls: the app catalog, the release manifest, and its
 *   group (its peers and the group's update slot);
 * - `collector`: ingest the connector pushes: health, POP status and logs. There may be several
 *   collectors; ingest spreads its batches over every one that answers.
 */
export const SSE_PURPOSES = ['registration', 'tokens', 'catalog', 'collector'] as const;
export type SsePurpose = (typeof SSE_PURPOSES)[number];

export const SsePurposeOf: Record<SseEndpoint, SsePurpose> = {
  register: 'registration',
  renew: 'registration',
  token: 'tokens',
  refresh: 'tokens',
  catalog: 'catalog',
  release: 'catalog',
  health: 'collector',
  popStatus: 'collector',
  logs: 'collector',
  group: 'catalog',
  updateSlot: 'catalog',
  updateSlotRelease: 'catalog',
};

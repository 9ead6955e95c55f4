import type { SseErrorBody } from './contracts/error-body';

/** Stable error codes of the SSE API. Every error response is `{ error: { code, message } }`. */
export const SseErrorCode = {
  /** 400: the body is not what the endpoint takes. */
  invalidRequest: 'invalid_request',
  /** 400: the CSR is empty, not PEM, or its signature does not verify. */
  invalidCsr: 'invalid_csr',
  /** 400: the provisioning key does not have the provisioning-key format. */
  provisioningKeyMalformed: 'provisioning_key_malformed',
  /** 401: well-formed, but no such key. */
  provisioningKeyInvalid: 'provisioning_key_invalid',
  /** 403: the key has been used as many times as its group allows. */
  provisioningKeyExhausted: 'provisioning_key_exhausted',
  /** 403: an administrator revoked the key. */
  provisioningKeyRevoked: 'provisioning_key_revoked',
  /** 403: the key is past its expiry. */
  provisioningKeyExpired: 'provisioning_key_expired',
  /** 400: the requested region does not exist. */
  unknownRegion: 'unknown_region',
  /** 400: no PoP has the gateway the connector named (hostname or address). */
  unknownGateway: 'unknown_gateway',
  /** 401: the endpoint needs a client certificate signed by the SSE CA. */
  clientCertificateRequired: 'client_certificate_required',
  /** 401: the certificate was superseded by a renewal (or the connector was removed). */
  certificateRevoked: 'certificate_revoked',
  /** 401: the bearer token is missing, unknown, superseded, or for another connector. */
  tokenInvalid: 'token_invalid',
  /** 401: the bearer token is past its expiry. */
  tokenExpired: 'token_expired',
  /** 404 */
  notFound: 'not_found',
  /** 5xx injected by the emulator's fault API. */
  injectedFault: 'injected_fault',
  /** 500 */
  internal: 'internal_error',
} as const;

export type SseErrorCode = (typeof SseErrorCode)[keyof typeof SseErrorCode];

/** HTTP status each code is sent with. */
export const SseErrorStatus: Record<SseErrorCode, number> = {
  invalid_request: 400,
  invalid_csr: 400,
  provisioning_key_malformed: 400,
  provisioning_key_invalid: 401,
  provisioning_key_exhausted: 403,
  provisioning_key_revoked: 403,
  provisioning_key_expired: 403,
  unknown_region: 400,
  unknown_gateway: 400,
  client_certificate_required: 401,
  certificate_revoked: 401,
  token_invalid: 401,
  token_expired: 401,
  not_found: 404,
  injected_fault: 503,
  internal_error: 500,
};

export function errorBody(code: SseErrorCode, message: string): SseErrorBody {
  return { error: { code, message } };
}

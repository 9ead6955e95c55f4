import type { Gateway } from '@pa-connector/sse-api';

/** Settings every tunnel to the region's gateways needs (the tls-crypt key is a secret). */
export interface TunnelSecrets {
  tlsCryptKey: string;
  cipher: string;
}

/** What enrollment gives the connector; stored in the data directory as one unit. */
export interface Identity {
  connectorId: string;
  groupId: string;
  region: string;
  /** The hostname the connector enrolled under (CN of its CSRs). */
  hostname: string;
  gateways: Gateway[];
  certificatePem: string;
  /** Issuing CA first, root last. */
  caChainPems: string[];
  privateKeyPem: string;
  enrolledAt: string;
  /** Set after the first certificate renewal. */
  renewedAt?: string;
  /** Present when the SSE runs real gateways. */
  tunnel?: TunnelSecrets;
}

/** The non-secret part, as published to Redis and shown in /ready. */
export interface IdentitySummary {
  connectorId: string;
  groupId: string;
  region: string;
  hostname: string;
  certificateSerial: string;
  certificateNotBefore: string;
  certificateExpiresAt: string;
  enrolledAt: string;
  renewedAt?: string;
  gateways: Gateway[];
}

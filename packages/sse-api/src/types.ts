/** Wire types of the SSE API (JSON bodies). Timestamps are ISO 8601 strings in UTC. */

import type { PopServiceName } from '@pa-connector/redis-contracts';

export interface RegisterRequest {
  provisioningKey: string;
  /** PKCS#10 CSR, PEM. The private key never leaves the connector's host. */
  csr: string;
  /** The VM's hostname: the name the POP is shown under in the cloud (< 64 characters). */
  hostname: string;
  /** PoP (gateway region) name, e.g. "us-east". Default: the group's PoP. */
  pop?: string;
  /** The connector's software version. */
  version?: string;
}

export type TunnelProtocol = 'udp' | 'tcp';

export interface Gateway {
  id: string;
  name: string;
  /** Hostname, IPv4 or IPv6 address of the gateway's OpenVPN server. */
  host: string;
  port: number;
  protocol: TunnelProtocol;
  /**
   * The CN of the gateway's server certificate (issued by the SSE CA with the serverAuth EKU):
   * what the client checks with `verify-x509-name <serverName> name`.
   */
  serverName?: string;
  /**
   * The fixed tunnel address this connector gets on this gateway (IPv4, /24 on the gateway's
   * tunnel network). It is the same on every reconnect, so listeners bound to it survive.
   */
  tunnelAddress?: string;
  /**
   * The gateway's control endpoint, reachable only through the tunnel (e.g.
   * `http://10.231.1.1:8900`): health updates go to `POST <controlUrl>/health`.
   */
  controlUrl?: string;
}

/** What every tunnel to a PoP's gateways must use besides the connector's own certificate. */
export interface TunnelSettings {
  /**
   * The PoP's OpenVPN tls-crypt static key (`-----BEGIN OpenVPN Static key V1-----` …): it
   * encrypts and authenticates the TLS control channel. Secret: store it 0600.
   */
  tlsCryptKey: string;
  /**
   * The data-channel cipher the gateways accept (`data-ciphers`), e.g. `AES-256-GCM`. Clients
   * accept AEAD ciphers only.
   */
  cipher: string;
}

export interface RegisterResponse {
  connectorId: string;
  groupId: string;
  pop: string;
  /** The connector's client certificate (PEM), extendedKeyUsage clientAuth. */
  certificate: string;
  certificateExpiresAt: string;
  /** Issuing CA first, root last (PEM each). Also the trust anchors for gateways. */
  caChain: string[];
  /** At least two per PoP in a healthy cloud; tunnels go to two different ones. */
  gateways: Gateway[];
  /** Settings shared by the PoP's gateways; present when the SSE runs real gateways. */
  tunnel?: TunnelSettings;
}

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds from issue. */
  expiresIn: number;
  expiresAt: string;
}

export interface RenewRequest {
  csr: string;
}

export interface RenewResponse {
  certificate: string;
  certificateExpiresAt: string;
  caChain: string[];
}

export type LoadBalancingStrategy = 'round-robin' | 'least-connections';

/** Methods an HTTP health check may use: they have no side effects on the app. */
export type HealthCheckMethod = 'GET' | 'HEAD';

export type HealthCheck =
  | { type: 'tcp' }
  | { type: 'http'; path: string; expectStatus: number; method?: HealthCheckMethod };

export interface AppServer {
  /** Hostname, IPv4 or IPv6 literal (without brackets). */
  host: string;
  port: number;
}

/**
 * A private application. Users reach it as `host:port` (the CONNECT target); the connector
 * forwards to one of `servers`.
 */
export interface CatalogApp {
  id: string;
  name: string;
  host: string;
  port: number;
  servers: AppServer[];
  strategy: LoadBalancingStrategy;
  healthCheck: HealthCheck;
}

/**
 * What the SSE sends. Apps are `unknown` on the wire: the connector validates each entry and
 * rejects bad ones while applying the rest.
 */
export interface CatalogResponse {
  version: string;
  apps: unknown[];
}

export type AppState = 'up' | 'unhealthy' | 'down';

export interface HealthUpdate {
  connectorId: string;
  sentAt: string;
  /** Which tunnel carried this update, when sent over a tunnel. */
  tunnel?: string;
  /**
   * TCP port (1-65535) of the connector's CONNECT proxy on this tunnel: it listens on the
   * connector's tunnel address, the source address of this update. The gateway's user ingress
   * opens user connections there.
   */
  proxyPort?: number;
  apps: Array<{
    id: string;
    state: AppState;
    servers: Array<{ host: string; port: number; up: boolean }>;
  }>;
}

/** POP status as pushed by pop-manager. Only `hostname` and `reportedAt` are required. */
export interface PopStatus {
  hostname: string;
  reportedAt: string;
  [field: string]: unknown;
}

// A release names an image for each of the POP's services, the same four everywhere.
export { POP_SERVICE_NAMES, type PopServiceName } from '@pa-connector/redis-contracts';

export interface ReleaseImage {
  /** e.g. "registry.local:5000/pa/connector:1.0.1" */
  image: string;
  /** "sha256:<64 hex>" */
  digest: string;
}

export interface ReleaseManifest {
  version: string;
  publishedAt: string;
  /** POPs older than this must be upgraded by hand. */
  minAutoUpgradeVersion?: string;
  images: Partial<Record<PopServiceName, ReleaseImage>>;
}

export interface LogBatch {
  entries: Array<Record<string, unknown>>;
}

export interface AcceptedResponse {
  accepted: number;
}

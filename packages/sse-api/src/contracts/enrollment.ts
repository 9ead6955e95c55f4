import { type Static, Type } from '@sinclair/typebox';
import { PemCertificate, Port, Text, Timestamp } from './common';

/**
 * Registration and certificate renewal. The emulator checks the provisioning key, CSR and
 * hostname itself (each has its own error code), so the request takes plain strings.
 */
export const RegisterRequest = Type.Object({
  provisioningKey: Type.String(),
  /** PKCS#10 CSR, PEM. The private key never leaves the connector's host. */
  csr: Type.String(),
  /** The VM's hostname: the name the POP is shown under in the cloud (< 64 characters). */
  hostname: Type.String(),
  /** Region name, e.g. "us-east". Default: the group's region. */
  region: Type.Optional(Type.String()),
  /**
   * The gateway the operator named (`--gateway`): a gateway hostname such as
   * `us-west.pa-wgcs.skyhigh.cloud`, or an address. The connector registers for the PoP
   * (region) that gateway belongs to and gets that PoP's gateways. Takes precedence over
   * `region`; an SSE that knows no PoP by it refuses the registration (`unknown_gateway`).
   */
  gateway: Type.Optional(Type.String()),
  /** The connector's software version. */
  version: Type.Optional(Type.String()),
});
export type RegisterRequest = Static<typeof RegisterRequest>;

export const TunnelProtocol = Type.Union([Type.Literal('udp'), Type.Literal('tcp')], {
  description: 'udp or tcp',
});
export type TunnelProtocol = Static<typeof TunnelProtocol>;

export const Gateway = Type.Object({
  id: Text(),
  name: Text(),
  /** Hostname, IPv4 or IPv6 address of the gateway's OpenVPN server. */
  host: Text(),
  port: Port,
  protocol: TunnelProtocol,
  /**
   * The CN of the gateway's server certificate (issued by the SSE CA with the serverAuth EKU):
   * what the client checks with `verify-x509-name <serverName> name`.
   */
  serverName: Type.Optional(Text()),
  /**
   * The fixed tunnel address this connector gets on this gateway (IPv4, /24 on the gateway's
   * tunnel network). It is the same on every reconnect, so listeners bound to it survive.
   */
  tunnelAddress: Type.Optional(Text()),
  /**
   * The gateway's control endpoint, reachable only through the tunnel (e.g.
   * `http://10.231.1.1:8900`): health updates go to `POST <controlUrl>/health`.
   */
  controlUrl: Type.Optional(Text()),
});
export type Gateway = Static<typeof Gateway>;

/** What every tunnel to a region's gateways must use besides the connector's own certificate. */
export const TunnelSettings = Type.Object({
  /**
   * The region's OpenVPN tls-crypt static key (`-----BEGIN OpenVPN Static key V1-----` …): it
   * encrypts and authenticates the TLS control channel. Secret: store it 0600.
   */
  tlsCryptKey: Text(),
  /**
   * The data-channel cipher the gateways accept (`data-ciphers`), e.g. `AES-256-GCM`. Clients
   * accept AEAD ciphers only.
   */
  cipher: Text(),
});
export type TunnelSettings = Static<typeof TunnelSettings>;

/** Issuing CA first, root last (PEM each). Also the trust anchors for gateways. */
const CaChain = Type.Array(PemCertificate, { minItems: 1, description: 'a non-empty list' });

export const RegisterResponse = Type.Object({
  connectorId: Text(),
  groupId: Text(),
  region: Text(),
  /** The connector's client certificate (PEM), extendedKeyUsage clientAuth. */
  certificate: PemCertificate,
  certificateExpiresAt: Timestamp,
  caChain: CaChain,
  /** At least two per region in a healthy cloud; tunnels go to two different ones. */
  gateways: Type.Array(Gateway, { description: 'a list' }),
  /** Settings shared by the region's gateways; present when the SSE runs real gateways. */
  tunnel: Type.Optional(TunnelSettings),
});
export type RegisterResponse = Static<typeof RegisterResponse>;

export const RenewRequest = Type.Object({ csr: Type.String() });
export type RenewRequest = Static<typeof RenewRequest>;

export const RenewResponse = Type.Object({
  certificate: PemCertificate,
  certificateExpiresAt: Timestamp,
  caChain: CaChain,
});
export type RenewResponse = Static<typeof RenewResponse>;

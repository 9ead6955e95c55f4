import { PkiError, parseCsr } from '@pa-connector/pki';
import {
  type RegisterRequest,
  type RegisterResponse,
  type RenewResponse,
  SseErrorCode,
} from '@pa-connector/sse-api';
import type { RegionConfig } from '../config/regions';
import { EmulatorError, invalidRequest, notFound } from '../errors';
import type { Catalogs } from './catalogs';
import { CertificateCache } from './certificate-cache';
import { hostnameProblem } from './hostname';
import { emptyIngest, type IngestRecord } from './ingest-records';
import type { CertificateIssuer } from './issuer';
import { chooseRegion } from './pop-choice';
import type { ProvisioningKeys } from './provisioning-keys';
import { digestsEqual, sha256Hex } from './secrets';
import { hexId, type StateContext } from './state-context';
import type { TokenRecord } from './tokens';
import type { TunnelAddressBook } from './tunnel-addresses';

/** A registered connector, as persisted under `connectors` in `state.json`. */
export interface ConnectorRecord extends TokenRecord, IngestRecord {
  id: string;
  groupId: string;
  /** The provisioning key (id) it registered with. */
  keyId: string;
  hostname: string;
  region: string;
  version: string | null;
  certSerial: string;
  certExpiresAt: string;
  /** Issued by a renewal, accepted alongside the current one until first used. */
  pendingCertSerial: string | null;
  pendingCertExpiresAt: string | null;
  /** The pending certificate and its key's hash: a renewal repeated with the same key gets it again. */
  pendingRenewal?: { publicKeySha256: string; certificatePem: string } | null;
  revokedSerials: string[];
  /**
   * What the registration issued, so that the same registration sent again (its answer was lost)
   * gets the same answer instead of using up another key use. Absent in older state files.
   */
  registration?: RegistrationRecord;
  registeredAt: string;
  lastSeenAt: string;
}

export interface RegistrationRecord {
  /** sha256 of the CSR's public key (PEM), hex. */
  publicKeySha256: string;
  /** The certificate issued at registration. */
  certificatePem: string;
  certSerial: string;
}

export interface Registration {
  connector: ConnectorRecord;
  response: RegisterResponse;
}

export interface ConnectorsOptions {
  ctx: StateContext;
  catalogs: Catalogs;
  keys: ProvisioningKeys;
  regions: ReadonlyMap<string, RegionConfig>;
  tunnels: TunnelAddressBook;
  issuer: CertificateIssuer;
  certLifetimeSeconds: number;
  /** Region name -> its tls-crypt key; registration then returns `tunnel` settings. */
  tlsCryptKeys?: Record<string, string>;
  /** Where a gateway's control endpoint answers, given the gateway's name. */
  controlUrl(gatewayName: string): string;
}

/** Connectors: registration with a provisioning key, client certificates and their renewal. */
export class Connectors {
  private readonly certs = new CertificateCache();

  constructor(
    private readonly connectors: Record<string, ConnectorRecord>,
    private readonly o: ConnectorsOptions,
  ) {}

  /** Checks everything first; only a request that passes every check consumes a key use. */
  register(req: RegisterRequest): Registration {
    const problem = hostnameProblem(req.hostname);
    if (problem) throw invalidRequest(problem);

    const key = this.o.keys.identify(req.provisioningKey);
    const csr = csrOf(req.csr);
    const publicKeySha256 = sha256Hex(csr.publicKeyPem);
    // Made while the key was good: answered again even if the key was revoked, expired or used
    // up since (the connector exists either way; only its answer was lost).
    const again = this.sameRegistration(key.id, publicKeySha256, req.hostname);
    if (again) return again;
    const now = this.o.ctx.clock.now();
    this.o.keys.checkUsable(key, now);
    const group = this.o.catalogs.get(key.groupId);
    const region = chooseRegion(this.o.regions, req, group.region);

    for (const g of region.gateways) this.o.tunnels.checkRoom(g.name);

    const id = `con_${hexId(this.o.ctx, 8)}`;
    const cert = this.o.issuer.issueClientCertificate({
      publicKeyPem: csr.publicKeyPem,
      commonName: id,
      lifetimeSeconds: this.o.certLifetimeSeconds,
      now,
    });
    this.o.keys.consume(key, now);
    const connector: ConnectorRecord = {
      id,
      groupId: group.id,
      keyId: key.id,
      hostname: req.hostname,
      region: region.name,
      version: req.version ?? null,
      certSerial: cert.serialNumber,
      certExpiresAt: cert.notAfter.toISOString(),
      pendingCertSerial: null,
      pendingCertExpiresAt: null,
      revokedSerials: [],
      registration: {
        publicKeySha256,
        certificatePem: cert.certPem,
        certSerial: cert.serialNumber,
      },
      registeredAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      tokenSha256: null,
      tokenExpiresAt: null,
      ...emptyIngest(),
    };
    this.connectors[id] = connector;
    return { connector, response: this.registerResponse(connector, cert.certPem) };
  }

  /**
   * A registration already made with this key for this public key, answered again: the
   * connector sends the same CSR (and hostname) when the answer to its first request was lost. Only while that
   * certificate is still the connector's current one (a renewed connector has moved on).
   */
  private sameRegistration(
    keyId: string,
    publicKeySha256: string,
    hostname: string,
  ): Registration | undefined {
    const connector = Object.values(this.connectors).find(
      (c) =>
        c.keyId === keyId &&
        c.hostname === hostname &&
        c.registration !== undefined &&
        digestsEqual(c.registration.publicKeySha256, publicKeySha256),
    );
    const reg = connector?.registration;
    if (!connector || !reg || reg.certSerial !== connector.certSerial) return undefined;
    return { connector, response: this.registerResponse(connector, reg.certificatePem) };
  }

  private registerResponse(connector: ConnectorRecord, certificatePem: string): RegisterResponse {
    const region = this.o.regions.get(connector.region);
    const gateways = region?.gateways ?? [];
    const response: RegisterResponse = {
      connectorId: connector.id,
      groupId: connector.groupId,
      region: connector.region,
      certificate: certificatePem,
      certificateExpiresAt: connector.certExpiresAt,
      caChain: [...this.o.issuer.caChain],
      gateways: gateways.map((g) => ({
        id: g.id,
        name: g.name,
        host: g.host,
        port: g.port,
        protocol: g.protocol,
        serverName: g.name,
        tunnelAddress: this.o.tunnels.assign(g.name, connector.id),
        controlUrl: this.o.controlUrl(g.name),
      })),
    };
    const tlsCryptKey = this.o.tlsCryptKeys?.[connector.region];
    if (tlsCryptKey) response.tunnel = { tlsCryptKey, cipher: 'AES-256-GCM' };
    return response;
  }

  list(): ConnectorRecord[] {
    return Object.values(this.connectors);
  }

  get(id: string): ConnectorRecord {
    const connector = this.connectors[id];
    if (!connector) throw notFound(`no connector ${id}`);
    return connector;
  }

  /** Removes the connector and frees its tunnel addresses. */
  remove(id: string): void {
    this.get(id);
    delete this.connectors[id];
    this.o.tunnels.release(id);
  }

  /**
   * Who is calling: the client certificate must chain to the CA, be a client certificate, and
   * be the current or pending certificate of a known connector. The first request made with a
   * pending (renewed) certificate promotes it and revokes the previous one.
   */
  authenticate(certPem: string | undefined): { connector: ConnectorRecord; promoted: boolean } {
    if (!certPem) {
      throw new EmulatorError(
        SseErrorCode.clientCertificateRequired,
        'this endpoint needs a client certificate issued by the SSE CA',
      );
    }
    const now = this.o.ctx.clock.now();
    const verdict = this.o.issuer.verifyClientCertificate(certPem, now);
    if (!verdict.ok) {
      throw new EmulatorError(
        SseErrorCode.clientCertificateRequired,
        `client certificate refused: ${verdict.reason}`,
      );
    }
    const info = this.certs.info(certPem);
    const connector = this.connectors[info.commonName];
    if (!connector) {
      throw new EmulatorError(
        SseErrorCode.certificateRevoked,
        `connector ${info.commonName} does not exist (removed?)`,
      );
    }
    let promoted = false;
    if (info.serialNumber === connector.pendingCertSerial) {
      connector.revokedSerials.push(connector.certSerial);
      connector.certSerial = info.serialNumber;
      connector.certExpiresAt = connector.pendingCertExpiresAt ?? info.notAfter.toISOString();
      connector.pendingCertSerial = null;
      connector.pendingCertExpiresAt = null;
      connector.pendingRenewal = null;
      promoted = true;
    } else if (info.serialNumber !== connector.certSerial) {
      throw new EmulatorError(
        SseErrorCode.certificateRevoked,
        `certificate ${info.serialNumber} of ${connector.id} was superseded`,
      );
    }
    connector.lastSeenAt = now.toISOString();
    return { connector, promoted };
  }

  renew(connector: ConnectorRecord, csrPem: string): RenewResponse {
    const csr = csrOf(csrPem);
    const publicKeySha256 = sha256Hex(csr.publicKeyPem);
    const pending = connector.pendingRenewal;
    // The same renewal again (its answer was lost): the same certificate, not another one.
    if (
      connector.pendingCertSerial &&
      connector.pendingCertExpiresAt &&
      pending &&
      digestsEqual(pending.publicKeySha256, publicKeySha256)
    ) {
      return {
        certificate: pending.certificatePem,
        certificateExpiresAt: connector.pendingCertExpiresAt,
        caChain: [...this.o.issuer.caChain],
      };
    }
    const now = this.o.ctx.clock.now();
    const cert = this.o.issuer.issueClientCertificate({
      publicKeyPem: csr.publicKeyPem,
      commonName: connector.id,
      lifetimeSeconds: this.o.certLifetimeSeconds,
      now,
    });
    // A second renewal before the first was used replaces (and revokes) the unused one.
    if (connector.pendingCertSerial) connector.revokedSerials.push(connector.pendingCertSerial);
    connector.pendingCertSerial = cert.serialNumber;
    connector.pendingCertExpiresAt = cert.notAfter.toISOString();
    connector.pendingRenewal = { publicKeySha256, certificatePem: cert.certPem };
    return {
      certificate: cert.certPem,
      certificateExpiresAt: connector.pendingCertExpiresAt,
      caChain: [...this.o.issuer.caChain],
    };
  }
}

/** The CSR's contents; a CSR that does not parse is the request's error. */
function csrOf(pem: string) {
  try {
    return parseCsr(pem);
  } catch (err) {
    if (err instanceof PkiError) {
      throw new EmulatorError(SseErrorCode.invalidCsr, err.message, { cause: err });
    }
    throw err;
  }
}

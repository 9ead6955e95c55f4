import { type CertificateInfo, certificateInfo, PkiError, parseCsr } from '@pa-connector/pki';
import {
  type CatalogResponse,
  formatProvisioningKey,
  type HealthUpdate,
  type LogBatch,
  type PopStatus,
  parseProvisioningKey,
  type RegisterRequest,
  type RegisterResponse,
  type ReleaseManifest,
  type RenewResponse,
  SseErrorCode,
  type TokenResponse,
} from '@pa-connector/sse-api';
import type { Clock, RandomBytes } from '../clock';
import type { PopConfig } from '../config/pops';
import { EmulatorError, invalidRequest, notFound } from '../errors';
import { hostnameProblem } from './hostname';
import type { CertificateIssuer } from './issuer';
import {
  type ConnectorRecord,
  emptyState,
  type GroupRecord,
  HISTORY_LIMIT,
  type ProvisioningKeyRecord,
  RECENT_LOGS_LIMIT,
  type StateData,
} from './model';
import { digestsEqual, sha256Hex } from './secrets';
import { TunnelAddressBook } from './tunnel-addresses';

export interface EmulatorStateOptions {
  pops: PopConfig[];
  certLifetimeSeconds: number;
  tokenLifetimeSeconds: number;
  issuer: CertificateIssuer;
  clock: Clock;
  random: RandomBytes;
  /** Loaded state; empty when absent. */
  data?: StateData;
  /** PoP name -> its tls-crypt key; registration then returns `tunnel` settings. */
  tlsCryptKeys?: Record<string, string>;
  /** Port of every gateway's control endpoint on its tunnel address (default 8900). */
  controlPort?: number;
}

export const DEFAULT_CONTROL_PORT = 8900;

/** Client certificates whose parse is kept (a few per connector in use). */
const PARSED_CERTS_MAX = 256;

export interface CreatedKey {
  record: ProvisioningKeyRecord;
  /** The full `pak1.` key: returned once, never stored. */
  key: string;
}

export interface Registration {
  connector: ConnectorRecord;
  response: RegisterResponse;
}

/**
 * The emulator's whole model, in memory. Every method is synchronous: a request's checks and
 * its mutation happen in one turn of the event loop, so concurrent requests cannot both pass a
 * check (e.g. N registrations racing for the last use of a key). Persisting is the caller's job.
 */
export class EmulatorState {
  private readonly data: StateData;
  /**
   * Parsed client certificates, by PEM: a connector presents the same one on every request and
   * node-forge takes about a millisecond to parse it. Bounded; the oldest entry goes first.
   */
  private readonly parsedCerts = new Map<string, CertificateInfo>();
  private readonly pops: Map<string, PopConfig>;
  /** Fixed tunnel addresses per gateway; lives inside `data`, so it is persisted with it. */
  readonly tunnels: TunnelAddressBook;

  constructor(private readonly o: EmulatorStateOptions) {
    this.data = o.data ?? emptyState();
    this.pops = new Map(o.pops.map((p) => [p.name, p]));
    this.tunnels = new TunnelAddressBook(this.data.tunnels);
    // Networks are handed out in configuration order on first sight, then kept.
    for (const p of o.pops) for (const g of p.gateways) this.tunnels.network(g.name);
  }

  /** `http://<gateway tunnel address>:<port>`: reachable only through a tunnel to it. */
  controlUrl(gatewayName: string): string {
    const port = this.o.controlPort ?? DEFAULT_CONTROL_PORT;
    return `http://${this.tunnels.gatewayAddress(gatewayName)}:${port}`;
  }

  /** The serializable state (a live reference: serialize it, do not keep it). */
  snapshot(): StateData {
    return this.data;
  }

  popNames(): string[] {
    return [...this.pops.keys()];
  }

  popList(): PopConfig[] {
    return [...this.pops.values()];
  }

  // ---- groups and catalog -------------------------------------------------------------------

  createGroup(input: { name: string; pop?: string }): GroupRecord {
    const pop = input.pop ?? this.popNames()[0];
    if (pop === undefined || !this.pops.has(pop)) {
      throw invalidRequest(
        `pop: "${input.pop}" is not a configured PoP (${this.popNames().join(', ')})`,
      );
    }
    const group: GroupRecord = {
      id: `grp_${this.hex(8)}`,
      name: input.name,
      pop,
      apps: [],
      catalogVersion: 1,
      createdAt: this.nowIso(),
    };
    this.data.groups[group.id] = group;
    return group;
  }

  listGroups(): GroupRecord[] {
    return Object.values(this.data.groups);
  }

  group(id: string): GroupRecord {
    const group = this.data.groups[id];
    if (!group) throw notFound(`no group ${id}`);
    return group;
  }

  setApps(groupId: string, apps: unknown[]): GroupRecord {
    const group = this.group(groupId);
    group.apps = apps;
    group.catalogVersion += 1;
    return group;
  }

  addApp(groupId: string, app: unknown): GroupRecord {
    const group = this.group(groupId);
    return this.setApps(groupId, [...group.apps, app]);
  }

  catalog(connector: ConnectorRecord): { etag: string; body: CatalogResponse } {
    const group = this.group(connector.groupId);
    const version = String(group.catalogVersion);
    return { etag: `"${version}"`, body: { version, apps: group.apps } };
  }

  // ---- provisioning keys --------------------------------------------------------------------

  createKey(groupId: string, input: { maxUses?: number; expiresAt?: Date }): CreatedKey {
    this.group(groupId);
    const maxUses = input.maxUses ?? 1;
    if (!Number.isInteger(maxUses) || maxUses < 1) {
      throw invalidRequest(`maxUses must be an integer >= 1, got ${maxUses}`);
    }
    const secret = this.o.random(32).toString('base64url');
    const record: ProvisioningKeyRecord = {
      id: this.hex(8),
      groupId,
      secretSha256: sha256Hex(secret),
      maxUses,
      uses: 0,
      expiresAt: input.expiresAt ? input.expiresAt.toISOString() : null,
      revoked: false,
      revokedAt: null,
      createdAt: this.nowIso(),
      lastUsedAt: null,
    };
    this.data.keys[record.id] = record;
    return { record, key: formatProvisioningKey(record.id, secret) };
  }

  listKeys(groupId: string): ProvisioningKeyRecord[] {
    this.group(groupId);
    return Object.values(this.data.keys).filter((k) => k.groupId === groupId);
  }

  key(keyId: string): ProvisioningKeyRecord {
    const key = this.data.keys[keyId];
    if (!key) throw notFound(`no provisioning key ${keyId}`);
    return key;
  }

  revokeKey(keyId: string): ProvisioningKeyRecord {
    const key = this.key(keyId);
    if (!key.revoked) {
      key.revoked = true;
      key.revokedAt = this.nowIso();
    }
    return key;
  }

  // ---- registration -------------------------------------------------------------------------

  /** Checks everything first; only a request that passes every check consumes a key use. */
  register(req: RegisterRequest): Registration {
    const problem = hostnameProblem(req.hostname);
    if (problem) throw invalidRequest(problem);

    const parsedKey = parseProvisioningKey(req.provisioningKey);
    if (!parsedKey) {
      throw new EmulatorError(
        SseErrorCode.provisioningKeyMalformed,
        'provisioningKey does not have the pak1.<keyId>.<secret> format',
      );
    }
    const key = this.data.keys[parsedKey.keyId];
    if (!key || !digestsEqual(key.secretSha256, sha256Hex(parsedKey.secret))) {
      throw new EmulatorError(SseErrorCode.provisioningKeyInvalid, 'unknown provisioning key');
    }
    const csr = this.parseCsr(req.csr);
    const publicKeySha256 = sha256Hex(csr.publicKeyPem);
    // Made while the key was good: answered again even if the key was revoked, expired or used
    // up since (the connector exists either way; only its answer was lost).
    const again = this.sameRegistration(key.id, publicKeySha256, req.hostname);
    if (again) return again;
    const now = this.o.clock.now();
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
    const group = this.group(key.groupId);
    const popName = req.pop ?? group.pop;
    const pop = this.pops.get(popName);
    if (!pop) {
      throw new EmulatorError(
        SseErrorCode.unknownPop,
        `pop "${popName}" does not exist (${this.popNames().join(', ')})`,
      );
    }

    for (const g of pop.gateways) this.tunnels.checkRoom(g.name);

    const id = `con_${this.hex(8)}`;
    const cert = this.o.issuer.issueClientCertificate({
      publicKeyPem: csr.publicKeyPem,
      commonName: id,
      lifetimeSeconds: this.o.certLifetimeSeconds,
      now,
    });
    key.uses += 1;
    key.lastUsedAt = now.toISOString();
    const connector: ConnectorRecord = {
      id,
      groupId: group.id,
      keyId: key.id,
      hostname: req.hostname,
      pop: pop.name,
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
      health: null,
      healthHistory: [],
      popStatus: null,
      popStatusHistory: [],
      logBatches: 0,
      logEntries: 0,
      recentLogs: [],
    };
    this.data.connectors[id] = connector;
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
    const connector = Object.values(this.data.connectors).find(
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
    const pop = this.pops.get(connector.pop);
    const gateways = pop?.gateways ?? [];
    const response: RegisterResponse = {
      connectorId: connector.id,
      groupId: connector.groupId,
      pop: connector.pop,
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
        tunnelAddress: this.tunnels.assign(g.name, connector.id),
        controlUrl: this.controlUrl(g.name),
      })),
    };
    const tlsCryptKey = this.o.tlsCryptKeys?.[connector.pop];
    if (tlsCryptKey) response.tunnel = { tlsCryptKey, cipher: 'AES-256-GCM' };
    return response;
  }

  // ---- connectors and their certificates ----------------------------------------------------

  listConnectors(): ConnectorRecord[] {
    return Object.values(this.data.connectors);
  }

  connector(id: string): ConnectorRecord {
    const connector = this.data.connectors[id];
    if (!connector) throw notFound(`no connector ${id}`);
    return connector;
  }

  /** Removes the connector and frees its tunnel addresses. */
  removeConnector(id: string): void {
    this.connector(id);
    delete this.data.connectors[id];
    this.tunnels.release(id);
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
    const now = this.o.clock.now();
    const verdict = this.o.issuer.verifyClientCertificate(certPem, now);
    if (!verdict.ok) {
      throw new EmulatorError(
        SseErrorCode.clientCertificateRequired,
        `client certificate refused: ${verdict.reason}`,
      );
    }
    const info = this.certInfo(certPem);
    const connector = this.data.connectors[info.commonName];
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

  private certInfo(pem: string): CertificateInfo {
    let info = this.parsedCerts.get(pem);
    if (!info) {
      info = certificateInfo(pem);
      if (this.parsedCerts.size >= PARSED_CERTS_MAX) {
        this.parsedCerts.delete(this.parsedCerts.keys().next().value as string);
      }
      this.parsedCerts.set(pem, info);
    }
    return info;
  }

  renew(connector: ConnectorRecord, csrPem: string): RenewResponse {
    const csr = this.parseCsr(csrPem);
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
    const now = this.o.clock.now();
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

  // ---- access tokens ------------------------------------------------------------------------

  /** A new token; the connector's previous token stops working. */
  issueToken(connector: ConnectorRecord): TokenResponse {
    const token = this.o.random(32).toString('base64url');
    const now = this.o.clock.now();
    const expiresAt = new Date(now.getTime() + this.o.tokenLifetimeSeconds * 1000);
    connector.tokenSha256 = sha256Hex(token);
    connector.tokenExpiresAt = expiresAt.toISOString();
    return {
      accessToken: token,
      tokenType: 'Bearer',
      expiresIn: this.o.tokenLifetimeSeconds,
      expiresAt: connector.tokenExpiresAt,
    };
  }

  /** The bearer must be the connector's one active token and not expired. */
  checkToken(connector: ConnectorRecord, bearer: string | undefined): void {
    if (!bearer) {
      throw new EmulatorError(SseErrorCode.tokenInvalid, 'missing Authorization: Bearer token');
    }
    if (connector.tokenSha256 === null || !digestsEqual(connector.tokenSha256, sha256Hex(bearer))) {
      throw new EmulatorError(
        SseErrorCode.tokenInvalid,
        `the bearer token is not the current token of ${connector.id}`,
      );
    }
    const expiresAt = connector.tokenExpiresAt ? Date.parse(connector.tokenExpiresAt) : 0;
    if (this.o.clock.now().getTime() >= expiresAt) {
      throw new EmulatorError(
        SseErrorCode.tokenExpired,
        `the bearer token expired at ${connector.tokenExpiresAt}`,
      );
    }
  }

  refreshToken(connector: ConnectorRecord, bearer: string | undefined): TokenResponse {
    this.checkToken(connector, bearer);
    return this.issueToken(connector);
  }

  // ---- ingest -------------------------------------------------------------------------------

  recordHealth(connector: ConnectorRecord, update: HealthUpdate): void {
    const received = { receivedAt: this.nowIso(), body: update };
    connector.health = received;
    connector.healthHistory = pushBounded(connector.healthHistory, received, HISTORY_LIMIT);
  }

  recordPopStatus(connector: ConnectorRecord, status: PopStatus): void {
    const received = { receivedAt: this.nowIso(), body: status };
    connector.popStatus = received;
    connector.popStatusHistory = pushBounded(connector.popStatusHistory, received, HISTORY_LIMIT);
  }

  recordLogs(connector: ConnectorRecord, batch: LogBatch): void {
    connector.logBatches += 1;
    connector.logEntries += batch.entries.length;
    connector.recentLogs = [...connector.recentLogs, ...batch.entries].slice(-RECENT_LOGS_LIMIT);
  }

  // ---- release manifest ---------------------------------------------------------------------

  release(): ReleaseManifest | null {
    return this.data.release;
  }

  setRelease(manifest: ReleaseManifest | null): void {
    this.data.release = manifest;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private parseCsr(pem: string) {
    try {
      return parseCsr(pem);
    } catch (err) {
      if (err instanceof PkiError) {
        throw new EmulatorError(SseErrorCode.invalidCsr, err.message, { cause: err });
      }
      throw err;
    }
  }

  private hex(bytes: number): string {
    return this.o.random(bytes).toString('hex');
  }

  private nowIso(): string {
    return this.o.clock.now().toISOString();
  }
}

function pushBounded<T>(list: T[], item: T, limit: number): T[] {
  const next = [...list, item];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

import type {
  CatalogResponse,
  HealthUpdate,
  LogBatch,
  PopStatusReport,
  RegisterRequest,
  ReleaseManifest,
  RenewResponse,
  TokenResponse,
  UpdateSlotGrant,
  UpdateSlotHolder,
} from '@pa-connector/sse-api';
import type { Clock, RandomBytes } from '../clock';
import type { RegionConfig } from '../config/regions';
import { type AppRecord, Apps, type NewApp } from './apps';
import { Catalogs, type GroupRecord, type NewGroup } from './catalogs';
import { type ConnectorRecord, Connectors, type Registration } from './connectors';
import { IngestRecords } from './ingest-records';
import type { CertificateIssuer } from './issuer';
import { emptyState, type StateData } from './model';
import { type CreatedKey, type ProvisioningKeyRecord, ProvisioningKeys } from './provisioning-keys';
import { Releases } from './releases';
import { hexId } from './state-context';
import { Tokens } from './tokens';
import { TunnelAddressBook } from './tunnel-addresses';
import { UpdateSlots } from './update-slots';

export interface EmulatorStateOptions {
  regions: RegionConfig[];
  certLifetimeSeconds: number;
  tokenLifetimeSeconds: number;
  issuer: CertificateIssuer;
  clock: Clock;
  random: RandomBytes;
  /** Loaded state; empty when absent. */
  data?: StateData;
  /** Region name -> its tls-crypt key; registration then returns `tunnel` settings. */
  tlsCryptKeys?: Record<string, string>;
  /** Port of every gateway's control endpoint on its tunnel address (default 8900). */
  controlPort?: number;
}

export const DEFAULT_CONTROL_PORT = 8900;

/** A new group and its own provisioning key (the full key is only here). */
export interface CreatedGroup {
  group: GroupRecord;
  key: CreatedKey;
}

/**
 * The emulator's whole model, in memory: one front over its aggregates (catalogs, provisioning
 * keys, connectors, tokens, ingest records, releases), each in its own file with the part of
 * `state.json` it owns. Every method is synchronous: a request's checks and its mutation happen
 * in one turn of the event loop, so concurrent requests cannot both pass a check (e.g. N
 * registrations racing for the last use of a key). Persisting is the caller's job.
 */
export class EmulatorState {
  private readonly data: StateData;
  private readonly regions: Map<string, RegionConfig>;
  private readonly catalogs: Catalogs;
  private readonly keys: ProvisioningKeys;
  private readonly connectors: Connectors;
  private readonly tokens: Tokens;
  private readonly ingest: IngestRecords;
  private readonly releases: Releases;
  private readonly apps: Apps;
  private readonly updateSlots: UpdateSlots;
  /** Fixed tunnel addresses per gateway; lives inside `data`, so it is persisted with it. */
  readonly tunnels: TunnelAddressBook;

  constructor(private readonly o: EmulatorStateOptions) {
    this.data = o.data ?? emptyState();
    // One tenant per emulator unless a group names another: made once, kept in state.json.
    this.data.customerId ??= `cus_${hexId({ clock: o.clock, random: o.random }, 8)}`;
    for (const g of Object.values(this.data.groups)) g.customerId ??= this.data.customerId;
    this.regions = new Map(o.regions.map((p) => [p.name, p]));
    this.tunnels = new TunnelAddressBook(this.data.tunnels);
    // Networks are handed out in configuration order on first sight, then kept.
    for (const p of o.regions) for (const g of p.gateways) this.tunnels.network(g.name);
    this.data.apps ??= {};
    this.data.updateSlots ??= {};
    const ctx = { clock: o.clock, random: o.random };
    this.catalogs = new Catalogs(this.data.groups, this.regions, ctx, (groupId) =>
      this.apps.entriesOf(groupId),
    );
    this.apps = new Apps(this.data.apps, this.catalogs, ctx);
    this.updateSlots = new UpdateSlots(this.data.updateSlots, ctx);
    this.keys = new ProvisioningKeys(this.data.keys, this.catalogs, ctx);
    this.connectors = new Connectors(this.data.connectors, {
      ctx,
      catalogs: this.catalogs,
      keys: this.keys,
      regions: this.regions,
      tunnels: this.tunnels,
      issuer: o.issuer,
      certLifetimeSeconds: o.certLifetimeSeconds,
      ...(o.tlsCryptKeys ? { tlsCryptKeys: o.tlsCryptKeys } : {}),
      controlUrl: (gateway) => this.controlUrl(gateway),
    });
    this.tokens = new Tokens(ctx, o.tokenLifetimeSeconds);
    this.ingest = new IngestRecords(ctx);
    this.releases = new Releases(this.data);
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

  regionNames(): string[] {
    return [...this.regions.keys()];
  }

  regionList(): RegionConfig[] {
    return [...this.regions.values()];
  }

  // ---- groups and catalog -------------------------------------------------------------------

  /** The tenant of groups created without a customerId. */
  customerId(): string {
    return this.data.customerId as string;
  }

  /** A group and its own key, usable maxConnectors times (default 1). */
  createGroup(input: Omit<NewGroup, 'customerId'> & { customerId?: string }): CreatedGroup {
    const group = this.catalogs.create({
      ...input,
      customerId: input.customerId ?? this.customerId(),
    });
    const { created } = this.keys.rotate(group.id);
    return { group, key: created };
  }

  listGroups(): GroupRecord[] {
    return this.catalogs.list();
  }

  group(id: string): GroupRecord {
    return this.catalogs.get(id);
  }

  setApps(groupId: string, apps: unknown[]): GroupRecord {
    return this.catalogs.setApps(groupId, apps);
  }

  addApp(groupId: string, app: unknown): GroupRecord {
    return this.catalogs.addApp(groupId, app);
  }

  catalog(connector: ConnectorRecord): { etag: string; body: CatalogResponse } {
    return this.catalogs.catalog(connector.groupId);
  }

  /** Every group with what its catalog publishes (raw entries, then associated apps). */
  groupCatalogs(): { id: string; apps: unknown[] }[] {
    return this.catalogs.list().map((g) => ({ id: g.id, apps: this.catalogs.entries(g.id) }));
  }

  /** What one group's catalog publishes. */
  catalogEntries(groupId: string): unknown[] {
    return this.catalogs.entries(groupId);
  }

  // ---- apps associated with groups ----------------------------------------------------------

  createApp(input: NewApp): AppRecord {
    return this.apps.create(input);
  }

  listApps(): AppRecord[] {
    return this.apps.list();
  }

  app(id: string): AppRecord {
    return this.apps.get(id);
  }

  setAppGroups(id: string, groupIds: string[]): AppRecord {
    return this.apps.setGroups(id, groupIds);
  }

  removeApp(id: string): AppRecord {
    return this.apps.remove(id);
  }

  // ---- the group's update slot --------------------------------------------------------------

  /** The unexpired holder of a group's update slot, or null. */
  updateSlot(groupId: string): UpdateSlotHolder | null {
    this.catalogs.get(groupId);
    return this.updateSlots.holder(groupId);
  }

  /** Take or renew the caller's group's slot; UpdateSlotTaken (409) when another holds it. */
  takeUpdateSlot(connector: ConnectorRecord, ttlSeconds: number): UpdateSlotGrant {
    return this.updateSlots.take(connector.groupId, connector.id, ttlSeconds);
  }

  releaseUpdateSlot(connector: ConnectorRecord, leaseId: string): boolean {
    return this.updateSlots.release(connector.groupId, connector.id, leaseId);
  }

  /** The operator frees a stuck slot: the holder it had, or null. */
  freeUpdateSlot(groupId: string): UpdateSlotHolder | null {
    this.catalogs.get(groupId);
    return this.updateSlots.free(groupId);
  }

  // ---- provisioning keys --------------------------------------------------------------------

  createKey(groupId: string, input: { maxUses?: number; expiresAt?: Date }): CreatedKey {
    return this.keys.create(groupId, input);
  }

  listKeys(groupId: string): ProvisioningKeyRecord[] {
    return this.keys.list(groupId);
  }

  key(keyId: string): ProvisioningKeyRecord {
    return this.keys.get(keyId);
  }

  revokeKey(keyId: string): ProvisioningKeyRecord {
    return this.keys.revoke(keyId);
  }

  /** Revokes the group's own key and issues its successor (see ProvisioningKeys.rotate). */
  rotateKey(groupId: string): { created: CreatedKey; revoked: ProvisioningKeyRecord | null } {
    return this.keys.rotate(groupId);
  }

  // ---- connectors and their certificates ----------------------------------------------------

  /** Checks everything first; only a request that passes every check consumes a key use. */
  register(req: RegisterRequest): Registration {
    return this.connectors.register(req);
  }

  listConnectors(): ConnectorRecord[] {
    return this.connectors.list();
  }

  connector(id: string): ConnectorRecord {
    return this.connectors.get(id);
  }

  /** Removes the connector and frees its tunnel addresses. */
  removeConnector(id: string): void {
    this.connectors.remove(id);
  }

  /** Who is calling, by client certificate; a renewed certificate's first use promotes it. */
  authenticate(certPem: string | undefined): { connector: ConnectorRecord; promoted: boolean } {
    return this.connectors.authenticate(certPem);
  }

  renew(connector: ConnectorRecord, csrPem: string): RenewResponse {
    return this.connectors.renew(connector, csrPem);
  }

  // ---- access tokens ------------------------------------------------------------------------

  /** A new token; the connector's previous token stops working. */
  issueToken(connector: ConnectorRecord): TokenResponse {
    return this.tokens.issue(connector);
  }

  /** The bearer must be the connector's one active token and not expired. */
  checkToken(connector: ConnectorRecord, bearer: string | undefined): void {
    this.tokens.check(connector, bearer);
  }

  refreshToken(connector: ConnectorRecord, bearer: string | undefined): TokenResponse {
    return this.tokens.refresh(connector, bearer);
  }

  // ---- ingest -------------------------------------------------------------------------------

  recordHealth(connector: ConnectorRecord, update: HealthUpdate, collector?: string): void {
    this.ingest.recordHealth(connector, update, collector);
  }

  recordPopStatus(connector: ConnectorRecord, status: PopStatusReport, collector?: string): void {
    this.ingest.recordPopStatus(connector, status, collector);
  }

  recordLogs(connector: ConnectorRecord, batch: LogBatch, collector?: string): void {
    this.ingest.recordLogs(connector, batch, collector);
  }

  // ---- release manifest ---------------------------------------------------------------------

  release(): ReleaseManifest | null {
    return this.releases.current();
  }

  setRelease(manifest: ReleaseManifest | null): void {
    this.releases.set(manifest);
  }
}

import { type CatalogResponse, provisioningKeyFieldProblem } from '@pa-connector/sse-api';
import type { RegionConfig } from '../config/regions';
import { invalidRequest, notFound } from '../errors';
import { hexId, nowIso, type StateContext } from './state-context';

/** A connector group and its catalog, as persisted under `groups` in `state.json`. */
export interface GroupRecord {
  id: string;
  /** Also the `connectorName` of the group's provisioning keys. */
  name: string;
  /** The tenant the group belongs to (older state files: the emulator's own tenant). */
  customerId: string;
  /** How many connectors the group's own key enrolls (older state files: absent, 1). */
  maxConnectors?: number;
  /** The group's own key: made with the group, replaced by a rotation (null: none yet). */
  keyId?: string | null;
  /** Default region of connectors registered with this group's keys. */
  region: string;
  /**
   * Catalog entries kept in the group itself, stored as given so tests can publish bad ones;
   * the catalog adds the apps associated with the group (see Apps) after them.
   */
  apps: unknown[];
  /** Bumped on every catalog change; the catalog's ETag is `"<version>"`. */
  catalogVersion: number;
  createdAt: string;
}

export interface NewGroup {
  name: string;
  customerId: string;
  region?: string;
  /** How many connectors the group's key enrolls (default 1). */
  maxConnectors?: number;
}

/** Connector groups and the private-application catalog each one publishes. */
export class Catalogs {
  constructor(
    private readonly groups: Record<string, GroupRecord>,
    private readonly regions: ReadonlyMap<string, RegionConfig>,
    private readonly ctx: StateContext,
    /** The catalog entries of the apps associated with a group (see Apps). */
    private readonly associated: (groupId: string) => unknown[] = () => [],
  ) {}

  /** A new group; its key is the caller's to make (see EmulatorState.createGroup). */
  create(input: NewGroup): GroupRecord {
    // Both travel in every key of the group: refused here rather than when a key is made.
    const nameProblem = provisioningKeyFieldProblem('connectorName', input.name);
    if (nameProblem) throw invalidRequest(`name ${nameProblem}`);
    const customerProblem = provisioningKeyFieldProblem('customerId', input.customerId);
    if (customerProblem) throw invalidRequest(`customerId ${customerProblem}`);
    const maxConnectors = input.maxConnectors ?? 1;
    if (!Number.isInteger(maxConnectors) || maxConnectors < 1) {
      throw invalidRequest(`maxConnectors must be an integer >= 1, got ${maxConnectors}`);
    }
    const names = [...this.regions.keys()];
    const region = input.region ?? names[0];
    if (region === undefined || !this.regions.has(region)) {
      throw invalidRequest(
        `region: "${input.region}" is not a configured region (${names.join(', ')})`,
      );
    }
    const group: GroupRecord = {
      id: `grp_${hexId(this.ctx, 8)}`,
      name: input.name,
      customerId: input.customerId,
      maxConnectors,
      keyId: null,
      region,
      apps: [],
      catalogVersion: 1,
      createdAt: nowIso(this.ctx),
    };
    this.groups[group.id] = group;
    return group;
  }

  list(): GroupRecord[] {
    return Object.values(this.groups);
  }

  get(id: string): GroupRecord {
    const group = this.groups[id];
    if (!group) throw notFound(`no group ${id}`);
    return group;
  }

  setApps(groupId: string, apps: unknown[]): GroupRecord {
    const group = this.get(groupId);
    group.apps = apps;
    group.catalogVersion += 1;
    return group;
  }

  /** The group's set of associated apps changed: a new catalog version (and ETag). */
  bump(groupId: string): void {
    this.get(groupId).catalogVersion += 1;
  }

  /** What the group publishes: its raw entries, then the apps associated with it. */
  entries(groupId: string): unknown[] {
    return [...this.get(groupId).apps, ...this.associated(groupId)];
  }

  addApp(groupId: string, app: unknown): GroupRecord {
    const group = this.get(groupId);
    return this.setApps(groupId, [...group.apps, app]);
  }

  /** The catalog a connector of `groupId` downloads, with its ETag. */
  catalog(groupId: string): { etag: string; body: CatalogResponse } {
    const group = this.get(groupId);
    const version = String(group.catalogVersion);
    return { etag: `"${version}"`, body: { version, apps: this.entries(groupId) } };
  }
}

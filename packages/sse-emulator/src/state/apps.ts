import type { CatalogApp } from '@pa-connector/sse-api';
import { EmulatorError, invalidRequest, notFound } from '../errors';
import type { Catalogs } from './catalogs';
import { hexId, nowIso, type StateContext } from './state-context';

/**
 * An app defined once and associated with connector groups, as persisted under `apps` in
 * `state.json`: each group it is associated with publishes `app` in its catalog.
 */
export interface AppRecord {
  id: string;
  /** The catalog entry, as every associated group's connectors get it. */
  app: CatalogApp;
  /** Ids of the groups it is associated with, in the order given. */
  groups: string[];
  createdAt: string;
}

/** A new app: the catalog entry (its id generated when absent) and its first groups. */
export interface NewApp {
  app: Omit<CatalogApp, 'id'> & { id?: string };
  groups?: string[];
}

/**
 * Apps as a relation of their own: created once, associated with any number of groups. Every
 * group whose set of apps changes gets a new catalog version, so its connectors download it.
 */
export class Apps {
  constructor(
    private readonly apps: Record<string, AppRecord>,
    private readonly catalogs: Catalogs,
    private readonly ctx: StateContext,
  ) {}

  create(input: NewApp): AppRecord {
    const id = input.app.id ?? `app_${hexId(this.ctx, 8)}`;
    if (id.trim() === '') throw invalidRequest('id must not be empty');
    if (this.apps[id]) {
      throw new EmulatorError('invalid_request', `an app with id ${id} already exists`, {
        status: 409,
      });
    }
    const groups = this.checkedGroups(input.groups ?? []);
    const record: AppRecord = {
      id,
      app: { ...input.app, id },
      groups,
      createdAt: nowIso(this.ctx),
    };
    this.apps[id] = record;
    for (const g of groups) this.catalogs.bump(g);
    return record;
  }

  list(): AppRecord[] {
    return Object.values(this.apps);
  }

  get(id: string): AppRecord {
    const app = this.apps[id];
    if (!app) throw notFound(`no app ${id}`);
    return app;
  }

  /** Replaces the app's groups; an unknown group refuses the whole change. */
  setGroups(id: string, groupIds: string[]): AppRecord {
    const app = this.get(id);
    const next = this.checkedGroups(groupIds);
    const before = new Set(app.groups);
    const after = new Set(next);
    app.groups = next;
    for (const g of before) if (!after.has(g)) this.catalogs.bump(g);
    for (const g of after) if (!before.has(g)) this.catalogs.bump(g);
    return app;
  }

  remove(id: string): AppRecord {
    const app = this.get(id);
    delete this.apps[id];
    for (const g of app.groups) this.catalogs.bump(g);
    return app;
  }

  /** The associated apps' catalog entries of one group, in creation order. */
  entriesOf(groupId: string): CatalogApp[] {
    return this.list()
      .filter((a) => a.groups.includes(groupId))
      .map((a) => a.app);
  }

  /** Each group at most once, every one existing (404 naming the first unknown one). */
  private checkedGroups(groupIds: string[]): string[] {
    const unique = [...new Set(groupIds)];
    for (const g of unique) this.catalogs.get(g);
    return unique;
  }
}

import type { AppHealth, CatalogSnapshot, ServerHealth } from '@pa-connector/redis-contracts';

/** An app as the status shows it: its catalog entry with the connector's latest health. */
export interface AppView {
  appId: string;
  name?: string;
  host?: string;
  port?: number;
  /** `unknown`: in the catalog but not probed yet. */
  status: AppHealth['status'] | 'unknown';
  since?: string;
  servers: ServerHealth[];
  /** Health reported for an app the current catalog no longer has. */
  notInCatalog?: true;
}

interface CatalogEntry {
  id?: unknown;
  name?: unknown;
  host?: unknown;
  port?: unknown;
}

/** Catalog order first, then health entries for apps the catalog no longer lists. */
export function appViews(
  catalog: CatalogSnapshot | undefined,
  health: readonly AppHealth[],
): AppView[] {
  const byId = new Map(health.map((h) => [h.appId, h]));
  const out: AppView[] = [];
  const seen = new Set<string>();
  for (const raw of catalog?.apps ?? []) {
    const a = raw as CatalogEntry;
    if (typeof a?.id !== 'string' || seen.has(a.id)) continue;
    seen.add(a.id);
    const h = byId.get(a.id);
    out.push({
      appId: a.id,
      ...(typeof a.name === 'string' ? { name: a.name } : {}),
      ...(typeof a.host === 'string' ? { host: a.host } : {}),
      ...(typeof a.port === 'number' ? { port: a.port } : {}),
      status: h?.status ?? 'unknown',
      ...(h ? { since: h.since } : {}),
      servers: h?.servers ?? [],
    });
  }
  for (const h of [...health].sort((x, y) => x.appId.localeCompare(y.appId))) {
    if (seen.has(h.appId)) continue;
    out.push({
      appId: h.appId,
      status: h.status,
      since: h.since,
      servers: h.servers,
      notInCatalog: true,
    });
  }
  return out;
}

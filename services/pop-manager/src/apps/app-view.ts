import type { AppHealth, AppView, CatalogSnapshot } from '@pa-connector/redis-contracts';

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

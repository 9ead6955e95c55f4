/** An app of one group's catalog that users reach as `host:port`. */
export interface AppMatch {
  groupId: string;
  appId: string;
}

/** A group and what its catalog publishes (its raw entries and the apps associated with it). */
export interface GroupCatalog {
  id: string;
  apps: unknown[];
}

/**
 * Every catalog entry (of any group) that is `host:port`: an app associated with several groups
 * matches once per group. Catalogs are stored raw, so entries
 * without a string `id`, `host` and numeric `port` are skipped. Hosts compare case-insensitively,
 * IPv6 literals without brackets.
 */
export function findApps(groups: GroupCatalog[], host: string, port: number): AppMatch[] {
  const wanted = normalHost(host);
  const matches: AppMatch[] = [];
  for (const group of groups) {
    for (const raw of group.apps) {
      if (typeof raw !== 'object' || raw === null) continue;
      const app = raw as Record<string, unknown>;
      if (typeof app.id !== 'string' || typeof app.host !== 'string') continue;
      if (app.port !== port || normalHost(app.host) !== wanted) continue;
      matches.push({ groupId: group.id, appId: app.id });
    }
  }
  return matches;
}

function normalHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

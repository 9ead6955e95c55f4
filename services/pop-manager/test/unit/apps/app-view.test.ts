import type { AppHealth, CatalogSnapshot } from '@pa-connector/redis-contracts';
import { appViews } from '../../../src/apps/app-view';

const catalog: CatalogSnapshot = {
  version: '3',
  syncedAt: '2030-01-01T00:00:00Z',
  apps: [
    { id: 'wiki', name: 'Wiki', host: 'wiki.corp', port: 443 },
    { id: 'git', name: 'Git', host: 'git.corp', port: 22 },
  ],
  rejected: [],
};

const health = (appId: string, status: AppHealth['status']): AppHealth => ({
  appId,
  status,
  since: '2030-01-01T00:00:05Z',
  servers: [
    { server: '10.0.0.5:443', up: status === 'up', checkedAt: '2030-01-01T00:00:06Z', failures: 0 },
  ],
});

describe('appViews', () => {
  it('joins the catalog (name, host, port) with app health, catalog order first', () => {
    const views = appViews(catalog, [health('old', 'down'), health('wiki', 'up')]);
    expect(views).toEqual([
      {
        appId: 'wiki',
        name: 'Wiki',
        host: 'wiki.corp',
        port: 443,
        status: 'up',
        since: '2030-01-01T00:00:05Z',
        servers: health('wiki', 'up').servers,
      },
      { appId: 'git', name: 'Git', host: 'git.corp', port: 22, status: 'unknown', servers: [] },
      {
        appId: 'old',
        status: 'down',
        since: '2030-01-01T00:00:05Z',
        servers: health('old', 'down').servers,
        notInCatalog: true,
      },
    ]);
  });

  it('shows health alone when there is no catalog yet', () => {
    expect(appViews(undefined, [health('wiki', 'unhealthy')]).map((a) => a.status)).toEqual([
      'unhealthy',
    ]);
    expect(appViews(undefined, [])).toEqual([]);
  });
});

import type { CatalogApp } from '@pa-connector/sse-api';

/** A valid catalog app without its id (`{ id, ...WIKI }` makes one): the tests' usual entry. */
export const WIKI: Omit<CatalogApp, 'id'> = {
  name: 'Wiki',
  host: 'wiki.corp',
  port: 443,
  servers: [{ host: '10.0.0.5', port: 443 }],
  strategy: 'round-robin',
  healthCheck: { type: 'tcp' },
};

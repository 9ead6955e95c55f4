import {
  type AppHealth,
  type CatalogSnapshot,
  encodeAppHealth,
  encodeTunnelState,
  type RedisKeys,
  type TunnelState,
} from '@pa-connector/redis-contracts';
import type Redis from 'ioredis';

/** Tunnel, app health and catalog entries as the connector writes them (through the contracts). */
export const TUNNELS: TunnelState[] = [
  {
    name: 't1',
    gateway: 'local-gw1',
    remote: '10.231.0.1:1194/udp',
    phase: 'connected',
    since: '2030-01-01T00:00:00.000Z',
    localAddress: '10.231.1.7',
    remoteAddress: '10.231.1.1',
    reconnects: 1,
    bytesIn: 123456,
    bytesOut: 65432,
  },
  {
    name: 't2',
    gateway: 'local-gw2',
    remote: '[fd00::2]:1194/tcp',
    phase: 'reconnecting',
    since: '2030-01-01T00:00:10.000Z',
    reconnects: 3,
    bytesIn: 0,
    bytesOut: 0,
    lastError: 'ping-restart: no packets for 3 s',
  },
];

const CATALOG: CatalogSnapshot = {
  version: '7',
  syncedAt: '2030-01-01T00:00:00.000Z',
  apps: [
    {
      id: 'wiki',
      name: 'Team wiki',
      host: 'wiki.corp.example',
      port: 443,
      servers: [
        { host: '10.0.0.5', port: 443 },
        { host: '10.0.0.6', port: 443 },
      ],
      strategy: 'round-robin',
      healthCheck: { type: 'tcp' },
    },
    {
      id: 'git',
      name: 'Git',
      host: 'git.corp.example',
      port: 22,
      servers: [{ host: '10.0.0.9', port: 22 }],
      strategy: 'round-robin',
      healthCheck: { type: 'tcp' },
    },
  ],
  rejected: [],
};

export const APP_HEALTH: AppHealth[] = [
  {
    appId: 'wiki',
    status: 'unhealthy',
    since: '2030-01-01T00:00:05.000Z',
    servers: [
      { server: '10.0.0.5:443', up: true, checkedAt: '2030-01-01T00:00:06.000Z', failures: 0 },
      {
        server: '10.0.0.6:443',
        up: false,
        checkedAt: '2030-01-01T00:00:06.000Z',
        failures: 4,
        error: 'connect ECONNREFUSED',
      },
    ],
  },
  {
    appId: 'git',
    status: 'down',
    since: '2030-01-01T00:00:05.000Z',
    servers: [
      {
        server: '10.0.0.9:22',
        up: false,
        checkedAt: '2030-01-01T00:00:06.000Z',
        failures: 9,
        error: 'connect ETIMEDOUT',
      },
    ],
  },
];

/** Writes the connector's side of the POP state (tunnels, app health, catalog) to Redis. */
export async function writeConnectorState(redis: Redis, keys: RedisKeys): Promise<void> {
  await redis
    .multi()
    .hset(keys.tunnels(), Object.fromEntries(TUNNELS.map((t) => [t.name, encodeTunnelState(t)])))
    .hset(
      keys.appHealth(),
      Object.fromEntries(APP_HEALTH.map((a) => [a.appId, encodeAppHealth(a)])),
    )
    .set(keys.catalog(), JSON.stringify(CATALOG))
    .exec();
}

/** Adds one log line to the stream the way the shared logger does (fields service, line). */
export function logLine(
  redis: Redis,
  keys: RedisKeys,
  service: string,
  line: Record<string, unknown>,
): Promise<string | null> {
  return redis.xadd(keys.logs(), '*', 'service', service, 'line', JSON.stringify(line));
}

/** A `GET /status` answer shaped like pop-manager's, at 2026-03-01T12:00:00Z. */
export const NOW = new Date('2026-03-01T12:00:00.000Z');

export function popStatusFixture() {
  return {
    hostname: 'edge-vm-01',
    reportedAt: '2026-03-01T11:59:58.000Z',
    version: '1.4.0',
    services: [
      {
        name: 'connector',
        status: 'up',
        state: 'ready',
        version: '1.4.0',
        started: '2026-03-01T10:00:00.000Z',
        updated: '2026-03-01T11:59:55.000Z',
        pid: 4242,
      },
      {
        name: 'logging',
        status: 'up',
        version: '1.4.0',
        started: '2026-03-01T10:00:01.000Z',
        updated: '2026-03-01T11:59:57.000Z',
        pid: 4243,
      },
      {
        name: 'update',
        status: 'stale',
        reason: 'no heartbeat for 25s',
        version: '1.3.9',
        pid: 4244,
        updated: '2026-03-01T11:59:35.000Z',
      },
      { name: 'pop-manager', status: 'down', reason: 'no heartbeat' },
    ],
    tunnels: [
      {
        name: 't1',
        gateway: 'eu-gw1',
        remote: '192.0.2.10:1194/udp',
        phase: 'connected',
        since: '2026-03-01T10:01:00.000Z',
        localAddress: '10.231.1.5',
        remoteAddress: '10.231.1.1',
        reconnects: 1,
        bytesIn: 1_572_864,
        bytesOut: 2048,
      },
      {
        name: 't2',
        gateway: 'eu-gw2',
        remote: '[2001:db8::20]:443/tcp',
        phase: 'reconnecting',
        since: '2026-03-01T11:59:50.000Z',
        reconnects: 3,
        bytesIn: 0,
        bytesOut: 0,
        lastError: 'connection reset',
      },
    ],
    apps: [
      {
        appId: 'wiki',
        name: 'Wiki',
        host: 'wiki.corp',
        port: 443,
        status: 'up',
        since: '2026-03-01T10:02:00.000Z',
        servers: [
          {
            server: '10.1.0.5:8443',
            up: true,
            checkedAt: '2026-03-01T11:59:59.000Z',
            failures: 0,
            latencyMs: 1.2,
          },
        ],
      },
      {
        appId: 'git',
        name: 'Git',
        host: 'fd00::7',
        port: 22,
        status: 'unhealthy',
        since: '2026-03-01T11:00:00.000Z',
        servers: [
          { server: '10.1.0.7:22', up: true, checkedAt: '2026-03-01T11:59:59.000Z', failures: 0 },
          {
            server: '10.1.0.8:22',
            up: false,
            checkedAt: '2026-03-01T11:59:59.000Z',
            failures: 4,
            error: 'connection refused',
          },
        ],
      },
      { appId: 'new', name: 'New', host: 'new.corp', port: 80, status: 'unknown', servers: [] },
    ],
    host: {
      cpuPercent: 12.3,
      cpuCount: 2,
      memory: { totalBytes: 4 * 1024 ** 3, availableBytes: 3 * 1024 ** 3, usedPercent: 25 },
      disk: {
        path: '/',
        totalBytes: 30 * 1024 ** 3,
        usedBytes: 6 * 1024 ** 3,
        availableBytes: 24 * 1024 ** 3,
        usedPercent: 20,
      },
      load: { one: 0.1, five: 0.2, fifteen: 0.3 },
      uptimeSeconds: 90_061,
      errors: [],
    },
    recentErrors: [
      {
        logId: '1-0',
        time: '2026-03-01T11:58:00.000Z',
        service: 'connector',
        level: 'error',
        msg: 'health update failed',
        error: 'socket hang up',
      },
    ],
    push: { lastSuccessAt: '2026-03-01T11:59:30.000Z', lastError: null, pending: false },
    collectErrors: [],
  };
}

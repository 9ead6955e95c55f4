// A stand-in for pop-manager's /status, logging's /logs and the connector's /ready and drain, for
// the wrapper's tests only: it answers fixed JSON on a free loopback port and prints that port on
// its first line.
const http = require('node:http');

const status = {
  hostname: 'bats-pop',
  reportedAt: new Date().toISOString(),
  version: '1.2.3',
  services: [
    {
      name: 'connector',
      status: 'up',
      version: '1.2.3',
      started: new Date().toISOString(),
      updated: new Date().toISOString(),
      pid: 101,
    },
    { name: 'logging', status: 'stale', version: '1.2.3', pid: 102 },
  ],
  tunnels: [
    {
      name: 't1',
      gateway: 'gw-a',
      remote: '192.0.2.1:1194/udp',
      phase: 'connected',
      since: new Date().toISOString(),
      reconnects: 0,
      bytesIn: 2048,
      bytesOut: 1024,
    },
  ],
  apps: [
    {
      appId: 'wiki',
      name: 'wiki',
      host: 'wiki.corp',
      port: 443,
      status: 'up',
      since: new Date().toISOString(),
      servers: [
        { server: '10.1.0.5:8443', up: true, checkedAt: new Date().toISOString(), failures: 0 },
      ],
    },
  ],
  recentErrors: [],
};
const logs = {
  count: 1,
  truncated: false,
  entries: [
    {
      logId: '1-0',
      time: '2026-01-01T00:00:00.000Z',
      level: 'warn',
      service: 'connector',
      msg: 'catalog entry rejected',
      appId: 'x',
    },
  ],
};

const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/logs/tail') {
    // A live tail: one line now, then nothing until the client goes away.
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(`${JSON.stringify({ ...logs.entries[0], msg: 'live line' })}\n`);
    return;
  }
  if (path === '/internal/v1/drain') {
    const draining = req.method !== 'DELETE';
    const state = draining
      ? { draining, since: new Date().toISOString(), openConnections: 0, drained: true }
      : { draining, openConnections: 0, drained: false };
    res.writeHead(req.method === 'POST' ? 202 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(state));
    return;
  }
  const ready = { service: 'connector', ready: true, checks: { enrolled: { ok: true } } };
  const body =
    path === '/status' ? status : path === '/logs' ? logs : path === '/ready' ? ready : undefined;
  res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body ?? { error: { code: 'not_found', message: `no ${path}` } }));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

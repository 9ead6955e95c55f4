/**
 * A stand-in for the connector's side of the data path, for tests only: a tiny CONNECT proxy
 * bound to one tunnel address, with a static route table (app host:port -> server address:port),
 * that also POSTs health updates (with its proxyPort) to the gateway's control endpoint every
 * `intervalMs`. Run by its built path (CONNECT_PROXY_PATH), usually inside the connector's
 * namespace: `node dist/programs/connect-proxy.js <config JSON>`.
 *
 * stdin takes JSON lines: `{"apps":[...]}` (the apps of the next updates; posts at once),
 * `{"posting":false|true}` (stop / resume the updates), `{"listening":false}` (close the proxy's
 * listener; updates go on). stdout: JSON events `listening`, `posted` {status}, `connect`
 * {target, status}.
 */
import { request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';

interface ProxyConfig {
  host: string;
  port: number;
  controlUrl: string;
  connectorId: string;
  tunnel: string;
  /** `app-host:port` -> `server-address:port`. */
  routes: Record<string, string>;
  apps: unknown;
  intervalMs: number;
}

interface Command {
  apps?: unknown;
  posting?: boolean;
  listening?: boolean;
}

const cfg = JSON.parse(process.argv[2] ?? '') as ProxyConfig;
const emit = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
let apps = cfg.apps;
let posting = true;

function post() {
  if (!posting) return;
  const body = JSON.stringify({
    connectorId: cfg.connectorId,
    sentAt: new Date().toISOString(),
    tunnel: cfg.tunnel,
    proxyPort: cfg.port,
    apps,
  });
  const req = request(
    `${cfg.controlUrl}/health`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 3000 },
    (res) => {
      res.resume();
      emit({ event: 'posted', status: res.statusCode });
    },
  );
  req.on('error', (e) => emit({ event: 'post-failed', error: e.message }));
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.end(body);
}

const answer = (s: Socket, status: number, text: string) => {
  s.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
};

const server = createServer({ allowHalfOpen: true }, (client) => {
  client.on('error', () => client.destroy());
  let buf = Buffer.alloc(0);
  const onData = (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    client.pause();
    client.off('data', onData);
    const line = buf.subarray(0, buf.indexOf('\r\n')).toString();
    const rest = buf.subarray(end + 4);
    const m = /^CONNECT (\S+) HTTP\/1\.1$/.exec(line);
    // null (not left out of the event) when the request line is no CONNECT.
    const target = m ? m[1] : null;
    const route = target ? cfg.routes[target] : undefined;
    if (!route) {
      emit({ event: 'connect', target, status: 403 });
      return answer(client, 403, `Forbidden: ${target} is not in the catalog`);
    }
    const i = route.lastIndexOf(':');
    const upstream = connect({
      host: route.slice(0, i),
      port: Number(route.slice(i + 1)),
      allowHalfOpen: true,
    });
    upstream.on('error', () => {
      if (!upstream.connecting) return client.destroy();
      emit({ event: 'connect', target, status: 502 });
      answer(client, 502, 'Bad Gateway');
    });
    upstream.once('connect', () => {
      emit({ event: 'connect', target, status: 200 });
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (rest.length) upstream.write(rest);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', (e) => e && upstream.destroy());
      upstream.on('close', (e) => e && client.destroy());
      client.resume();
    });
  };
  client.on('data', onData);
});
server.on('error', (e) => {
  process.stderr.write(`test proxy: ${e.message}\n`);
  process.exit(1);
});
server.listen(cfg.port, cfg.host, () => {
  emit({ event: 'listening', host: cfg.host, port: cfg.port });
  post();
  setInterval(post, cfg.intervalMs);
});

let partial = '';
process.stdin.on('data', (c: Buffer) => {
  const lines = (partial + c.toString()).split('\n');
  partial = lines.pop() ?? '';
  for (const l of lines) {
    if (!l.trim()) continue;
    const cmd = JSON.parse(l) as Command;
    if (cmd.apps) apps = cmd.apps;
    if (cmd.posting !== undefined) posting = cmd.posting;
    if (cmd.listening === false) server.close();
    if (cmd.apps || cmd.posting === true) post();
    emit({ event: 'command', cmd });
  }
});
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

/**
 * The gateway control endpoint and ingress relay, as a standalone Node.js program run with
 * `node -e` inside the gateway's network namespace (the only place its tunnel address exists).
 *
 * - Control: HTTP on `<host>:<port>` (the gateway's tunnel address). It keeps no state: each
 *   accepted health update becomes one JSON line on stdout, which the emulator reads and stores,
 *   so the emulator stays the single owner of state.
 * - Relay: a unix socket at `<relayPath>` (in the gateway's 0700 working directory, so reachable
 *   from the emulator whatever namespace it runs in, and by nobody else). The emulator connects,
 *   names a destination in a first line `<address> <port>\n`; the helper dials it only if the
 *   address is a connector's address on this gateway's tunnel network (never an open relay),
 *   answers `OK\n` or `ERR <code> <message>\n`, and then pipes bytes both ways.
 *
 * It exits when its stdin closes, which is when the emulator that started it goes away, however
 * abruptly.
 *
 * argv: <host> <port> <tunnel network, e.g. 10.231.1.0> <relayPath> <dial timeout ms>
 */
export const CONTROL_HELPER_SOURCE = String.raw`
'use strict';
const http = require('node:http');
const net = require('node:net');
const fs = require('node:fs');
const [host, port, network, relayPath, dialTimeout] = process.argv.slice(1);
const MAX_BODY = 256 * 1024;
const MAX_RELAY_LINE = 128;
const RELAY_LINE_TIMEOUT_MS = 5000;
const DIAL_TIMEOUT_MS = Number(dialTimeout) || 5000;
const APP_STATES = ['up', 'unhealthy', 'down'];
const emit = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const answer = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const bad = (res, status, code, message) => answer(res, status, { error: { code, message } });

function checkUpdate(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'body must be a HealthUpdate object';
  if (typeof body.connectorId !== 'string' || body.connectorId === '')
    return 'connectorId must be a non-empty string';
  if (typeof body.sentAt !== 'string') return 'sentAt must be an ISO 8601 string';
  if (body.tunnel !== undefined && typeof body.tunnel !== 'string') return 'tunnel must be a string';
  if (
    body.proxyPort !== undefined &&
    !(Number.isInteger(body.proxyPort) && body.proxyPort >= 1 && body.proxyPort <= 65535)
  )
    return 'proxyPort must be an integer 1-65535, got ' + JSON.stringify(body.proxyPort);
  if (!Array.isArray(body.apps)) return 'apps must be a list';
  for (let i = 0; i < body.apps.length; i++) {
    const a = body.apps[i];
    if (typeof a !== 'object' || a === null) return 'apps[' + i + '] must be an object';
    if (typeof a.id !== 'string' || a.id === '') return 'apps[' + i + '].id must be a non-empty string';
    if (!APP_STATES.includes(a.state))
      return 'apps[' + i + '].state must be one of ' + APP_STATES.join(', ');
  }
  return undefined;
}

const server = http.createServer((req, res) => {
  const path = (req.url || '').split('?')[0];
  if (req.method === 'GET' && path === '/healthz') return answer(res, 200, { status: 'ok' });
  if (path !== '/health') return bad(res, 404, 'not_found', 'no route ' + req.method + ' ' + path);
  if (req.method !== 'POST') return bad(res, 405, 'invalid_request', 'use POST /health');
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) {
      bad(res, 413, 'invalid_request', 'body larger than ' + MAX_BODY + ' bytes');
      req.destroy();
    } else chunks.push(c);
  });
  req.on('end', () => {
    if (size > MAX_BODY) return;
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      return bad(res, 400, 'invalid_request', 'body is not JSON: ' + e.message);
    }
    const problem = checkUpdate(body);
    if (problem) return bad(res, 400, 'invalid_request', problem);
    emit({ event: 'health', remoteAddress: req.socket.remoteAddress, body });
    answer(res, 202, { accepted: 1 });
  });
});

// Only connectors' addresses on this gateway's /24: not the gateway itself (.1), not the network
// or broadcast address, nothing outside the tunnel.
const prefix = network.split('.').slice(0, 3).join('.') + '.';
function relayAllowed(address) {
  if (!address.startsWith(prefix)) return false;
  const last = address.slice(prefix.length);
  return /^[0-9]{1,3}$/.test(last) && Number(last) >= 2 && Number(last) <= 254;
}

const relay = net.createServer({ allowHalfOpen: true }, (client) => {
  let head = Buffer.alloc(0);
  let done = false;
  const refuse = (code, message) => {
    done = true;
    client.end('ERR ' + code + ' ' + message + '\n');
    setTimeout(() => client.destroy(), 1000).unref();
  };
  client.on('error', () => client.destroy());
  client.setTimeout(RELAY_LINE_TIMEOUT_MS, () => {
    if (!done) refuse('timeout', 'no destination line within ' + RELAY_LINE_TIMEOUT_MS + 'ms');
  });
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(10);
    if (nl < 0) {
      if (head.length > MAX_RELAY_LINE) {
        client.off('data', onData);
        refuse('bad_request', 'destination line longer than ' + MAX_RELAY_LINE + ' bytes');
      }
      return;
    }
    client.pause();
    client.off('data', onData);
    client.setTimeout(0);
    const line = head.subarray(0, nl).toString('latin1').trim();
    const rest = head.subarray(nl + 1);
    const m = /^([0-9.]+) ([0-9]{1,5})$/.exec(line);
    if (!m) return refuse('bad_request', 'expected "<address> <port>"');
    const dest = m[1] + ':' + m[2];
    const destPort = Number(m[2]);
    if (!relayAllowed(m[1]) || destPort < 1 || destPort > 65535)
      return refuse('forbidden', dest + ' is not a connector address on tunnel network ' + network + '/24');
    let connected = false;
    const upstream = net.connect({ host: m[1], port: destPort, allowHalfOpen: true });
    const timer = setTimeout(() => {
      upstream.destroy();
      refuse('timeout', 'connect to ' + dest + ' timed out after ' + DIAL_TIMEOUT_MS + 'ms');
    }, DIAL_TIMEOUT_MS);
    upstream.once('connect', () => {
      clearTimeout(timer);
      connected = true;
      done = true;
      client.write('OK\n');
      if (rest.length > 0) upstream.write(rest);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    // Each side ends the other's write side when it ends (half-close); an error or reset on one
    // side tears down both.
    upstream.on('error', (e) => {
      clearTimeout(timer);
      if (connected) client.destroy();
      else if (!done) refuse('connect_failed', 'connect to ' + dest + ': ' + (e.code || e.message));
    });
    upstream.on('close', (hadError) => {
      if (connected && hadError) client.destroy();
    });
    client.on('close', (hadError) => {
      if (hadError || !connected) upstream.destroy();
    });
  };
  client.on('data', onData);
});

const fail = (what) => (e) => {
  process.stderr.write(what + ': ' + e.message + '\n');
  process.exit(1);
};
server.on('error', fail('control endpoint'));
relay.on('error', fail('ingress relay'));
fs.rmSync(relayPath, { force: true });
let listening = 0;
const ready = () => {
  listening += 1;
  if (listening === 2) emit({ event: 'listening', host, port: Number(port), relayPath });
};
server.listen(Number(port), host, ready);
relay.listen(relayPath, () => {
  fs.chmodSync(relayPath, 0o600);
  ready();
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
`;

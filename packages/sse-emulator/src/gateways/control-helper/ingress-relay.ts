import { connect, createServer, type Server, type Socket } from 'node:net';
import { relayDestination } from './relay-destination';

const MAX_RELAY_LINE = 128;
const RELAY_LINE_TIMEOUT_MS = 5_000;
/** After an `ERR` line, how long the emulator has to read it before the socket is destroyed. */
const REFUSE_GRACE_MS = 1_000;

export interface IngressRelayOptions {
  /** The gateway's tunnel network (`10.231.<n>.0`): the only addresses the relay dials. */
  network: string;
  /** How long a connection to a connector's proxy may take. */
  dialTimeoutMs: number;
}

/**
 * The ingress relay (a unix socket in the gateway's 0700 working directory, so reachable from the
 * emulator whatever namespace it runs in, and by nobody else). The emulator connects and names a
 * destination in a first line `<address> <port>\n`; the relay dials it only if it is a
 * connector's address on this gateway's tunnel network, answers `OK\n` or
 * `ERR <code> <message>\n`, and then pipes bytes both ways.
 */
export function createIngressRelay(o: IngressRelayOptions): Server {
  return createServer({ allowHalfOpen: true }, (client) => serveRelay(client, o));
}

function serveRelay(client: Socket, o: IngressRelayOptions): void {
  let head = Buffer.alloc(0);
  // Set once the relay has answered (OK or ERR): nothing else may be written to the emulator.
  const answered = { done: false };
  const refuse = (code: string, message: string) => {
    answered.done = true;
    client.end(`ERR ${code} ${message}\n`);
    setTimeout(() => client.destroy(), REFUSE_GRACE_MS).unref();
  };
  client.on('error', () => client.destroy());
  client.setTimeout(RELAY_LINE_TIMEOUT_MS, () => {
    if (!answered.done) refuse('timeout', `no destination line within ${RELAY_LINE_TIMEOUT_MS}ms`);
  });
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(10);
    if (nl < 0) {
      if (head.length > MAX_RELAY_LINE) {
        client.off('data', onData);
        refuse('bad_request', `destination line longer than ${MAX_RELAY_LINE} bytes`);
      }
      return;
    }
    client.pause();
    client.off('data', onData);
    client.setTimeout(0);
    const rest = head.subarray(nl + 1);
    const to = relayDestination(head.subarray(0, nl).toString('latin1').trim(), o.network);
    if (!to.ok) return refuse(to.code, to.message);
    dial(client, to, rest, o.dialTimeoutMs, answered, refuse);
  };
  client.on('data', onData);
}

function dial(
  client: Socket,
  to: { host: string; port: number; dest: string },
  rest: Buffer,
  dialTimeoutMs: number,
  answered: { done: boolean },
  refuse: (code: string, message: string) => void,
): void {
  let connected = false;
  const upstream = connect({ host: to.host, port: to.port, allowHalfOpen: true });
  const timer = setTimeout(() => {
    upstream.destroy();
    refuse('timeout', `connect to ${to.dest} timed out after ${dialTimeoutMs}ms`);
  }, dialTimeoutMs);
  upstream.once('connect', () => {
    clearTimeout(timer);
    connected = true;
    answered.done = true;
    client.write('OK\n');
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  // Each side ends the other's write side when it ends (half-close); an error or reset on one
  // side tears down both.
  upstream.on('error', (e: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    if (connected) client.destroy();
    else if (!answered.done)
      refuse('connect_failed', `connect to ${to.dest}: ${e.code ?? e.message}`);
  });
  upstream.on('close', (hadError) => {
    if (connected && hadError) client.destroy();
  });
  client.on('close', (hadError) => {
    if (hadError || !connected) upstream.destroy();
  });
}

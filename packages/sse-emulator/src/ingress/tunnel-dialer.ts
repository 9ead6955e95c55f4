import { connect, type Socket } from 'node:net';
import { authority, type ConnectTarget, readUntil, responseStatus } from './http-head';
import { IngressError } from './ingress-error';
import type { TunnelCandidate } from './tunnel-selection';

export interface DialOptions {
  /**
   * The connect: reaching the gateway's relay and its verdict on the TCP dial of the connector's
   * proxy. Short, so a connector that is gone costs the user little before the next one.
   */
  connectTimeoutMs: number;
  /** Then the proxy's answer to the CONNECT. */
  answerTimeoutMs: number;
}

export interface ProxyAnswer {
  /** Connected to the connector's proxy through the tunnel; paused. */
  socket: Socket;
  status: number;
  /** The proxy's response head, and what came after it (e.g. the start of an error body). */
  head: Buffer;
  rest: Buffer;
}

const MAX_PROXY_HEAD = 16 * 1024;

/**
 * Opens a connection to a connector's CONNECT proxy through one tunnel: via the gateway helper's
 * relay socket (which dials the connector's tunnel address inside the gateway's namespace), then
 * `CONNECT <app>` and the proxy's response head. Rejects with a retryable IngressError when the
 * tunnel could not be used at all; any HTTP answer from the proxy resolves.
 */
export async function dialThroughTunnel(
  c: TunnelCandidate,
  target: ConnectTarget,
  o: DialOptions,
): Promise<ProxyAnswer> {
  const started = performance.now();
  const socket = connect({ path: c.relayPath, allowHalfOpen: true });
  socket.on('error', () => undefined); // reported through the reads below
  try {
    await new Promise<void>((resolve, reject) => {
      socket.setTimeout(o.connectTimeoutMs, () =>
        reject(
          new IngressError(
            'relay_unreachable',
            `relay of gateway ${c.gateway}: no connection within ${o.connectTimeoutMs}ms`,
            true,
          ),
        ),
      );
      socket.once('connect', () => {
        socket.setTimeout(0);
        resolve();
      });
      socket.once('error', (err) =>
        reject(
          new IngressError(
            'relay_unreachable',
            `relay of gateway ${c.gateway}: ${err.message}`,
            true,
            { cause: err },
          ),
        ),
      );
    });
    socket.write(`${c.address} ${c.proxyPort}\n`);
    // What is left of the connect deadline (at least 1 ms, so the read can time out).
    const left = Math.max(1, Math.ceil(o.connectTimeoutMs - (performance.now() - started)));
    const verdict = await readUntil(socket, '\n', {
      maxBytes: 512,
      timeoutMs: left,
      what: `relay answer from gateway ${c.gateway} (its connect to ${c.address}:${c.proxyPort})`,
    });
    const line = verdict.head.toString('utf8').trim();
    if (line !== 'OK') {
      throw new IngressError(
        'relay_refused',
        `gateway ${c.gateway} relay to ${c.address}:${c.proxyPort}: ${line.replace(/^ERR /, '')}`,
        true,
      );
    }
    const app = authority(target);
    socket.write(`CONNECT ${app} HTTP/1.1\r\nHost: ${app}\r\n\r\n`);
    const answer = await readUntil(socket, '\r\n\r\n', {
      maxBytes: MAX_PROXY_HEAD,
      timeoutMs: o.answerTimeoutMs,
      initial: verdict.rest,
      what: `answer of the proxy at ${c.address}:${c.proxyPort}`,
    }).catch((err: unknown) => {
      const e = err as IngressError;
      throw new IngressError('proxy_no_answer', e.message, true, { cause: err });
    });
    const status = responseStatus(answer.head.toString('latin1'));
    if (status === undefined) {
      throw new IngressError(
        'proxy_bad_answer',
        `the proxy at ${c.address}:${c.proxyPort} did not answer with an HTTP status line`,
        true,
      );
    }
    return { socket, status, head: answer.head, rest: answer.rest };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

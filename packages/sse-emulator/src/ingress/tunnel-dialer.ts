import { connect, type Socket } from 'node:net';
import { authority, type ConnectTarget, readUntil, responseStatus } from './http-head';
import { IngressError } from './ingress-error';
import type { TunnelCandidate } from './tunnel-selection';

export interface DialOptions {
  /** Waiting for the relay's verdict (it has its own dial timeout) and the proxy's answer. */
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
  const socket = connect({ path: c.relayPath, allowHalfOpen: true });
  socket.on('error', () => undefined); // reported through the reads below
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
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
    const verdict = await readUntil(socket, '\n', {
      maxBytes: 512,
      timeoutMs: o.answerTimeoutMs,
      what: `relay answer from gateway ${c.gateway}`,
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

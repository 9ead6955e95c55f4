import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';

/** What a user got through the ingress: the CONNECT answer, then the app's HTTP answer. */
export interface IngressAnswer {
  /** Status of the CONNECT (200 when a tunnel and the connector's proxy took it). */
  connectStatus: number;
  /** The CONNECT answer's status line and body when it was not 200 (why it was refused). */
  refusal?: string;
  /**
   * The gateway that carried the connection (the ingress's `X-PA-Gateway` header): on a 200 and
   * on the connector's refusal over that gateway; absent when no tunnel was chosen or all failed.
   */
  gateway?: string;
  /** Status of the app's answer to the GET (only after a 200 CONNECT). */
  status?: number;
  /** The `x-app-server` header of the sample app: which server answered. */
  server?: string;
  body?: string;
  /** Milliseconds from connecting to the ingress to the end of the answer. */
  ms: number;
}

export interface ConnectResult {
  status: number;
  /** `X-PA-Gateway` of the answer: the gateway the ingress carried the connection over. */
  gateway?: string;
  /** The status line and what followed the head, for messages. */
  text: string;
  socket: Socket;
}

/**
 * A request that failed after the ingress chose a gateway (a CONNECT 200, then no app answer):
 * `gateway` says which one carried it.
 */
export class CarriedRequestError extends Error {
  constructor(
    message: string,
    readonly gateway: string | undefined,
  ) {
    super(message);
    this.name = 'CarriedRequestError';
  }
}

/** The `X-PA-Gateway` header of a response head (absent: the ingress did not name one). */
function carrierGateway(head: string): string | undefined {
  const m = /\r\nX-PA-Gateway:[ \t]*([^\r\n]*?)[ \t]*(?:\r\n|$)/i.exec(head);
  return m?.[1] || undefined;
}

/**
 * Opens a TCP connection to `proxyHost:proxyPort` and sends `CONNECT <target> HTTP/1.1`; resolves
 * with the answer's status once the head arrived (the socket stays open for the caller).
 */
export function connectThrough(
  proxyHost: string,
  proxyPort: number,
  target: string,
  timeoutMs = 10_000,
): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: proxyHost, port: proxyPort });
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `CONNECT ${target} via ${proxyHost}:${proxyPort}: no answer within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    const done = (err?: Error, r?: ConnectResult) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      if (err) reject(err);
      else resolve(r as ConnectResult);
    };
    const onError = (err: Error) =>
      done(new Error(`CONNECT ${target} via ${proxyHost}:${proxyPort}: ${err.message}`));
    const onEnd = () => {
      const text = buf.toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m) done(undefined, { status: Number(m[1]), text, socket });
      else
        done(
          new Error(`CONNECT ${target} via ${proxyHost}:${proxyPort}: closed without an answer`),
        );
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (!m) {
        socket.destroy();
        done(new Error(`CONNECT ${target}: not an HTTP answer: ${head.slice(0, 80)}`));
        return;
      }
      const status = Number(m[1]);
      const gateway = carrierGateway(head);
      const via = gateway !== undefined ? { gateway } : {};
      const rest = buf.subarray(end + 4);
      if (status === 200) {
        socket.pause();
        if (rest.length > 0) socket.unshift(rest);
        done(undefined, { status, ...via, text: head.split('\r\n')[0] ?? '', socket });
        return;
      }
      // A refusal: read its short body to the end for the message.
      socket.off('data', onData);
      const chunks: Buffer[] = [rest];
      socket.on('data', (c: Buffer) => chunks.push(c));
      const finish = () =>
        done(undefined, {
          status,
          ...via,
          text: `${head.split('\r\n')[0]} ${Buffer.concat(chunks).toString('utf8').trim()}`,
          socket,
        });
      socket.once('end', finish);
      socket.once('close', finish);
      socket.off('end', onEnd);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
  });
}

/** `GET <path>` over a socket that already reaches the app (after a 200 CONNECT). */
export function getOver(
  socket: Socket,
  host: string,
  path: string,
  timeoutMs = 10_000,
): Promise<{ status: number; server?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host,
        path,
        method: 'GET',
        createConnection: () => socket,
        headers: { connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const server = res.headers['x-app-server'];
          resolve({
            status: res.statusCode ?? 0,
            ...(typeof server === 'string' ? { server } : {}),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    // connectThrough paused the socket so nothing after the CONNECT answer was lost; the
    // request's parser listens by now.
    req.on('socket', (s) => s.resume());
    req.end();
  });
}

/** A user's request: CONNECT `app` through the ingress, then `GET path` to the app. */
export async function requestThroughIngress(
  ingressHost: string,
  ingressPort: number,
  app: string,
  path: string,
): Promise<IngressAnswer> {
  const started = performance.now();
  const c = await connectThrough(ingressHost, ingressPort, app);
  const via = c.gateway !== undefined ? { gateway: c.gateway } : {};
  if (c.status !== 200) {
    c.socket.destroy();
    return { connectStatus: c.status, refusal: c.text, ...via, ms: performance.now() - started };
  }
  try {
    const host = app.replace(/:\d+$/, '');
    const r = await getOver(c.socket, host, path).catch((err: Error) => {
      throw new CarriedRequestError(err.message, c.gateway);
    });
    return { connectStatus: 200, ...via, ...r, ms: performance.now() - started };
  } finally {
    c.socket.destroy();
  }
}

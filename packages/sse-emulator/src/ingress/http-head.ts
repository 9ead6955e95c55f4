import type { Socket } from 'node:net';
import { IngressError } from './ingress-error';

export interface ReadOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Bytes already read from the socket (they come first). */
  initial?: Buffer;
  /** What a timeout, overflow or early close is called in the error. */
  what: string;
}

/**
 * Reads from `socket` up to and including `delimiter`; what came after it is returned as `rest`.
 * The socket is left paused. Rejects with an IngressError on timeout, overflow or close.
 */
export function readUntil(
  socket: Socket,
  delimiter: string,
  o: ReadOptions,
): Promise<{ head: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = o.initial ?? Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onClose);
      socket.off('close', onClose);
      socket.off('error', onError);
    };
    const check = (): boolean => {
      const i = buf.indexOf(delimiter);
      if (i >= 0 && i + delimiter.length <= o.maxBytes) {
        finish();
        const end = i + delimiter.length;
        resolve({ head: buf.subarray(0, end), rest: buf.subarray(end) });
        return true;
      }
      if (i >= 0 || buf.length > o.maxBytes) {
        finish();
        reject(
          new IngressError('head_too_large', `${o.what} longer than ${o.maxBytes} bytes`, false),
        );
        return true;
      }
      return false;
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      check();
    };
    const onClose = () => {
      finish();
      reject(
        new IngressError('closed', `connection closed before the ${o.what} was complete`, true),
      );
    };
    const onError = (err: Error) => {
      finish();
      reject(new IngressError('closed', `${o.what}: ${err.message}`, true, { cause: err }));
    };
    const timer = setTimeout(() => {
      finish();
      reject(
        new IngressError('head_timeout', `no complete ${o.what} within ${o.timeoutMs}ms`, true),
      );
    }, o.timeoutMs);
    if (check()) return;
    socket.on('data', onData);
    socket.on('end', onClose);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.resume();
  });
}

export type ConnectTarget = { host: string; port: number };

/** A refusal of the user's request: status and a one-line reason. */
export class BadRequest extends Error {
  constructor(
    readonly status: 400 | 405,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `CONNECT host:port HTTP/1.x` (IPv6 in brackets) -> target. Throws BadRequest (405 for another
 * method, 400 for anything malformed).
 */
export function parseConnectRequest(head: string): ConnectTarget {
  const line = head.split('\r\n', 1)[0] ?? '';
  const parts = line.split(' ');
  if (parts.length !== 3 || !/^HTTP\/1\.[01]$/.test(parts[2] ?? '')) {
    throw new BadRequest(400, `malformed request line ${JSON.stringify(line.slice(0, 200))}`);
  }
  const [method, authority] = parts as [string, string, string];
  if (method !== 'CONNECT') {
    throw new BadRequest(
      405,
      `the ingress only accepts CONNECT <app-host>:<port> (got ${method.slice(0, 20)})`,
    );
  }
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(authority);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65_535) {
    throw new BadRequest(
      400,
      `CONNECT target must be <host>:<port> with a port 1-65535, got ${JSON.stringify(authority.slice(0, 200))}`,
    );
  }
  return { host: (m[1] ?? m[2]) as string, port };
}

/** The status code of an HTTP response head, or undefined when it is not one. */
export function responseStatus(head: string): number | undefined {
  const m = /^HTTP\/1\.[01] ([0-9]{3})(?: |\r\n)/.exec(head);
  return m ? Number(m[1]) : undefined;
}

/**
 * Refusals of a connector that another connector of the group would not give: it drains, stops
 * or is full. The connector names its reason in `X-PA-Refusal`; the ingress then tries the next
 * candidate instead of passing the refusal to the user.
 */
const ELSEWHERE = new Set(['draining', 'shutting_down', 'connection_limit']);

/** The connector's `X-PA-Refusal` reason when it means "try another connector", else undefined. */
export function refusedForAnother(head: string): string | undefined {
  const m = /\r\nX-PA-Refusal: *([a-z_]+) *\r\n/i.exec(head);
  const reason = m?.[1]?.toLowerCase();
  return reason !== undefined && ELSEWHERE.has(reason) ? reason : undefined;
}

/** `host:port`, IPv6 in brackets: the CONNECT authority. */
export function authority(t: ConnectTarget): string {
  return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

import { connect, type Socket } from 'node:net';

export interface StreamTarget {
  host: string;
  port: number;
  /** When set, `CONNECT <this> HTTP/1.1` is sent first and a 200 is required. */
  connectTo?: string;
  /** Whole setup (TCP connect and the CONNECT answer) within this. */
  timeoutMs?: number;
  /**
   * Bytes for the app sent in the same write as the CONNECT request, before its answer (a client
   * that does not wait for the 200: one crossing of the tunnel fewer per new connection).
   */
  firstBytes?: Buffer;
}

const MAX_HEAD = 16 * 1024;

/**
 * A TCP connection to the target, through the CONNECT proxy when `connectTo` is set: resolves
 * once bytes can flow to the app. Bytes that came with the proxy's answer are put back.
 */
export function openStream(t: StreamTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: t.host, port: t.port, noDelay: true, allowHalfOpen: true });
    const timer = setTimeout(
      () => fail(new Error(`no stream to ${t.host}:${t.port} within ${t.timeoutMs ?? 10_000} ms`)),
      t.timeoutMs ?? 10_000,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      if (t.connectTo === undefined) {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(socket);
        return;
      }
      const request = `CONNECT ${t.connectTo} HTTP/1.1\r\nHost: ${t.connectTo}\r\n\r\n`;
      socket.write(
        t.firstBytes ? Buffer.concat([Buffer.from(request, 'latin1'), t.firstBytes]) : request,
      );
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_HEAD) fail(new Error('proxy answer head too large'));
          return;
        }
        socket.off('data', onData);
        socket.off('end', onEnd);
        const status = head.subarray(0, end).toString('latin1').split('\r\n')[0] ?? '';
        if (!/^HTTP\/1\.[01] 200\b/.test(status)) {
          fail(new Error(`CONNECT ${t.connectTo}: ${status || 'empty answer'}`));
          return;
        }
        clearTimeout(timer);
        socket.off('error', fail);
        socket.pause();
        const rest = head.subarray(end + 4);
        if (rest.length > 0) socket.unshift(rest);
        resolve(socket);
      };
      const onEnd = () => fail(new Error(`CONNECT ${t.connectTo}: closed before an answer`));
      socket.on('data', onData);
      socket.once('end', onEnd);
    });
  });
}

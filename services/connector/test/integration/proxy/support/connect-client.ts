import { connect, type Socket } from 'node:net';

/** A user connection to the proxy after its answer to CONNECT. */
export interface Tunnel {
  socket: Socket;
  status: number;
  /** The whole answer head and body as text (for refusals: the short body). */
  answer: string;
  /** Next line from the app (without "\n"). */
  line(timeoutMs?: number): Promise<string>;
  /** Everything until the other side ends. */
  rest(timeoutMs?: number): Promise<string>;
}

/**
 * Opens a TCP connection to the proxy, sends `request` (a CONNECT head by default for `target`)
 * and waits for the answer head. Refusals are read to the end (the proxy closes them).
 */
export function connectVia(
  proxy: { host: string; port: number },
  target: string,
  o: { request?: string; timeoutMs?: number } = {},
): Promise<Tunnel> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: proxy.host, port: proxy.port, noDelay: true });
    let buf = '';
    let ended = false;
    const waiters: Array<() => void> = [];
    const wake = () => {
      for (const w of waiters.splice(0)) w();
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from the proxy for ${target}; got ${JSON.stringify(buf)}`));
    }, o.timeoutMs ?? 10_000);
    socket.on('error', (err) => {
      clearTimeout(timer);
      ended = true;
      wake();
      reject(err);
    });
    socket.on('end', () => {
      ended = true;
      wake();
    });
    let answered = false;
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      wake();
      if (answered) return;
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      answered = true;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0);
      const head = buf.slice(0, i + 4);
      buf = buf.slice(i + 4);
      clearTimeout(timer);
      const wait = (ok: () => boolean, timeoutMs: number, what: string) =>
        new Promise<void>((res, rej) => {
          const t = setTimeout(
            () =>
              rej(
                new Error(
                  `timed out waiting for ${what}; have ${JSON.stringify(buf.slice(0, 200))}`,
                ),
              ),
            timeoutMs,
          );
          const check = () => {
            if (ok()) {
              clearTimeout(t);
              res();
            } else if (ended) {
              clearTimeout(t);
              rej(
                new Error(
                  `connection ended while waiting for ${what}; have ${JSON.stringify(buf.slice(0, 200))}`,
                ),
              );
            } else waiters.push(check);
          };
          check();
        });
      const tunnel: Tunnel = {
        socket,
        status,
        answer: head,
        async line(timeoutMs = 5_000) {
          await wait(() => buf.includes('\n'), timeoutMs, 'a line');
          const j = buf.indexOf('\n');
          const l = buf.slice(0, j);
          buf = buf.slice(j + 1);
          return l;
        },
        async rest(timeoutMs = 5_000) {
          await new Promise<void>((res, rej) => {
            const t = setTimeout(() => rej(new Error('timed out waiting for the end')), timeoutMs);
            const check = () => {
              if (ended) {
                clearTimeout(t);
                res();
              } else waiters.push(check);
            };
            check();
          });
          const r = buf;
          buf = '';
          return r;
        },
      };
      if (status !== 200) {
        void tunnel.rest().then(
          (body) => resolve({ ...tunnel, answer: head + body }),
          () => resolve(tunnel),
        );
      } else {
        resolve(tunnel);
      }
    });
    socket.write(o.request ?? `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  });
}

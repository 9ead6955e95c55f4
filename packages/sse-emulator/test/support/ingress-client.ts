import { connect, type Socket } from 'node:net';

export interface IngressAnswer {
  /** Status of the CONNECT answer. */
  status: number;
  /** For 200: what the app sent after our payload; otherwise the refusal's body. */
  body: string;
}

/**
 * A user of the gateway ingress: `CONNECT <target>`, and on 200 sends `payload` (then
 * half-closes when `halfClose`) and reads everything until the far end closes.
 */
export async function throughIngress(
  ingressUrl: string,
  target: string,
  payload: string | Buffer,
  o: { halfClose?: boolean; timeoutMs?: number } = {},
): Promise<IngressAnswer> {
  const url = new URL(ingressUrl);
  const socket = connect({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port),
    allowHalfOpen: true,
  });
  const received: Buffer[] = [];
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of the answer for ${target} within ${o.timeoutMs ?? 15_000}ms`));
    }, o.timeoutMs ?? 15_000);
    socket.on('data', (c: Buffer) => received.push(c));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
  });
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  const head = await headOf(socket, received);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head.text)?.[1]);
  if (status === 200) {
    socket.write(payload);
    if (o.halfClose) socket.end();
  }
  await closed;
  return { status, body: Buffer.concat(received).subarray(head.length).toString('utf8') };
}

async function headOf(
  socket: Socket,
  received: Buffer[],
): Promise<{ text: string; length: number }> {
  for (;;) {
    const all = Buffer.concat(received);
    const end = all.indexOf('\r\n\r\n');
    if (end >= 0) return { text: all.subarray(0, end).toString('latin1'), length: end + 4 };
    await new Promise<void>((resolve, reject) => {
      socket.once('data', () => resolve());
      socket.once('end', () => reject(new Error(`closed before an answer: ${all.toString()}`)));
    });
  }
}

/**
 * A CONNECT client run inside a namespace (as a gateway would reach the connector's proxy on its
 * tunnel address): sends `CONNECT <target>`, prints one JSON line `{status, line, body, ms}` with
 * the answer (status 0 and `error` when there was none; `ms` from connected to the answer or the
 * close). `slow` plays slowloris: the request line, then one more header line every 200 ms,
 * never the end of the head.
 *
 *   node dist/stack/programs/namespace-connect.js <host> <port> <target> [slow]
 */
import { connect } from 'node:net';

interface Answer {
  status: number;
  line?: string;
  body?: string;
  error?: string;
}

const [host, port, target, mode] = process.argv.slice(2);
const s = connect({ host: host ?? '', port: Number(port) });
let buf = Buffer.alloc(0);
let printed = false;
let connectedAt = performance.now();
let trickle: NodeJS.Timeout | undefined;
const print = (v: Answer) => {
  if (!printed) {
    printed = true;
    console.log(JSON.stringify({ ...v, ms: performance.now() - connectedAt }));
  }
  clearInterval(trickle);
  s.destroy();
};
const answer = (): Answer | undefined => {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString('latin1');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  return {
    status: m ? Number(m[1]) : 0,
    line: head.split('\r\n')[0],
    body: buf
      .subarray(end + 4)
      .toString('utf8')
      .trim(),
  };
};
s.setTimeout(8000, () => print(answer() || { status: 0, error: 'no answer within 8 s' }));
s.on('connect', () => {
  connectedAt = performance.now();
  if (mode !== 'slow') {
    s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    return;
  }
  s.write(`CONNECT ${target} HTTP/1.1\r\n`);
  let n = 0;
  trickle = setInterval(() => {
    n += 1;
    s.write(`X-Slow-${n}: 1\r\n`, () => {});
  }, 200);
});
s.on('data', (c: Buffer) => {
  buf = Buffer.concat([buf, c]);
  const a = answer();
  if (a && a.status === 200) print({ ...a, body: '' });
});
// A refusal ends the connection after its short body.
s.on('end', () => print(answer() || { status: 0, error: 'closed without an answer' }));
s.on('error', (e) => print(answer() || { status: 0, error: e.message }));

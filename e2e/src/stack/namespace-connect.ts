import { execFile } from 'node:child_process';

/**
 * A CONNECT client run with `node -e` inside a namespace (as a gateway would reach the
 * connector's proxy on its tunnel address): sends `CONNECT <target>`, prints one JSON line
 * `{status, line, body, ms}` with the answer (status 0 and `error` when there was none; `ms` from
 * connected to the answer or the close). `slow` plays slowloris: the request line, then one more
 * header line every 200 ms, never the end of the head.
 *
 *   node -e "$NAMESPACE_CONNECT_SOURCE" <host> <port> <target> [slow]
 */
const NAMESPACE_CONNECT_SOURCE = `
const net = require('node:net');
const [host, port, target, mode] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
let buf = Buffer.alloc(0);
let printed = false;
let connectedAt = performance.now();
let trickle;
const print = (v) => {
  if (!printed) { printed = true; console.log(JSON.stringify({ ...v, ms: performance.now() - connectedAt })); }
  clearInterval(trickle);
  s.destroy();
};
const answer = () => {
  const end = buf.indexOf('\\r\\n\\r\\n');
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString('latin1');
  const m = /^HTTP\\/1\\.[01] (\\d{3})/.exec(head);
  return { status: m ? Number(m[1]) : 0, line: head.split('\\r\\n')[0], body: buf.subarray(end + 4).toString('utf8').trim() };
};
s.setTimeout(8000, () => print(answer() || { status: 0, error: 'no answer within 8 s' }));
s.on('connect', () => {
  connectedAt = performance.now();
  if (mode !== 'slow') {
    s.write('CONNECT ' + target + ' HTTP/1.1\\r\\nHost: ' + target + '\\r\\n\\r\\n');
    return;
  }
  s.write('CONNECT ' + target + ' HTTP/1.1\\r\\n');
  let n = 0;
  trickle = setInterval(() => { n += 1; s.write('X-Slow-' + n + ': 1\\r\\n', () => {}); }, 200);
});
s.on('data', (c) => {
  buf = Buffer.concat([buf, c]);
  const a = answer();
  if (a && a.status === 200) print({ ...a, body: '' });
});
// A refusal ends the connection after its short body.
s.on('end', () => print(answer() || { status: 0, error: 'closed without an answer' }));
s.on('error', (e) => print(answer() || { status: 0, error: e.message }));
`;

export interface NamespaceConnectAnswer {
  /** The proxy's answer status (0 when there was none: see `error`). */
  status: number;
  line?: string;
  body?: string;
  error?: string;
  /** Milliseconds from connected to the answer (or the close). */
  ms: number;
}

/** `CONNECT target` to `host:port` from inside the network namespace `netns`. */
export function connectFromNamespace(
  ip: string,
  netns: string,
  host: string,
  port: number,
  target: string,
  slow = false,
): Promise<NamespaceConnectAnswer> {
  return new Promise((resolve, reject) => {
    execFile(
      ip,
      [
        'netns',
        'exec',
        netns,
        process.execPath,
        '-e',
        NAMESPACE_CONNECT_SOURCE,
        host,
        String(port),
        target,
        ...(slow ? ['slow'] : []),
      ],
      { timeout: 15_000 },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line) as NamespaceConnectAnswer);
        } catch {
          reject(
            new Error(`CONNECT ${target} from ${netns}: ${err?.message ?? ''} ${stderr.trim()}`),
          );
        }
      },
    );
  });
}

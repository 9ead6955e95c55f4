import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

/** What the server does with one question: addresses to answer (of the asked type), or drop it. */
export type DnsAnswer = (name: string, type: 'A' | 'AAAA') => string[] | 'drop';

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, for a Resolver's setServers. */
  server: string;
  /** Every question asked, in order (`A name` / `AAAA name`). */
  questions: string[];
  close(): Promise<void>;
}

function qname(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (i < msg.length && msg[i] !== 0) {
    const len = msg[i] as number;
    labels.push(msg.toString('latin1', i + 1, i + 1 + len));
    i += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

function rdata(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const url = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head = '', tail = ''] = url.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = url.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  for (const [k, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), k * 2);
  return out;
}

/** A tiny UDP DNS server on loopback answering A/AAAA questions as `answer` says. */
export async function startDnsServer(answer: DnsAnswer): Promise<TestDnsServer> {
  const sock: Socket = createSocket('udp4');
  const questions: string[] = [];
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 17) return;
    const { name, end } = qname(msg);
    const qtype = msg.readUInt16BE(end);
    const type = qtype === 1 ? 'A' : qtype === 28 ? 'AAAA' : undefined;
    if (!type) return;
    questions.push(`${type} ${name}`);
    const got = answer(name, type);
    if (got === 'drop') return;
    const want = type === 'A' ? 4 : 6;
    const list = got.filter((a) => isIP(a) === want);
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(list.length, 6);
    const answers = list.map((a) => {
      const data = rdata(a);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(0, 6);
      rr.writeUInt16BE(data.length, 10);
      return Buffer.concat([rr, data]);
    });
    sock.send(
      Buffer.concat([header, msg.subarray(12, end + 4), ...answers]),
      rinfo.port,
      rinfo.address,
    );
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return {
    server: `127.0.0.1:${sock.address().port}`,
    questions,
    close: () => new Promise((r) => sock.close(() => r())),
  };
}

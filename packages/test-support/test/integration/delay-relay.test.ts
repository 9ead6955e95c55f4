import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type DelayRelay, startDelayRelay, waitFor } from '../../src';

const DELAY_MS = 200;

/** Sockets and servers of these kinds open right now (what close() must give back). */
function openHandles(): Record<string, number> {
  const kinds = ['UDPWRAP', 'TCPSocketWrap', 'TCPServerWrap'];
  const n: Record<string, number> = {};
  for (const k of kinds) n[k] = 0;
  for (const r of process.getActiveResourcesInfo()) {
    if (r in n) n[r] = (n[r] ?? 0) + 1;
  }
  return n;
}

async function udpEcho(): Promise<UdpSocket> {
  const s = createSocket('udp4');
  s.on('message', (msg, from) => s.send(msg, from.port, from.address));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

async function udpClient(): Promise<{
  socket: UdpSocket;
  got: Array<{ at: number; msg: Buffer }>;
}> {
  const socket = createSocket('udp4');
  const got: Array<{ at: number; msg: Buffer }> = [];
  socket.on('message', (msg) => got.push({ at: performance.now(), msg }));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, got };
}

/** Datagram `i`: its number, then bytes that depend on it (a reordered or altered one shows). */
function datagram(i: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(i, 0);
  for (let k = 4; k < size; k++) b[k] = (i * 31 + k) & 0xff;
  return b;
}

const closeUdp = (s: UdpSocket) =>
  new Promise<void>((r) => {
    try {
      s.close(() => r());
    } catch {
      r(); // closed already
    }
  });
const portOf = (s: Server | UdpSocket) => {
  const a = s.address();
  return typeof a === 'object' && a ? a.port : 0;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

describe('startDelayRelay (udp)', () => {
  let echo: UdpSocket;
  beforeAll(async () => {
    echo = await udpEcho();
  });
  afterAll(async () => {
    await closeUdp(echo);
  });

  it('delays every datagram each way, keeps their order and bytes, and close() frees its sockets', async () => {
    const before = openHandles();
    const relay = await startDelayRelay({
      protocol: 'udp',
      target: { host: '127.0.0.1', port: portOf(echo) },
      delayMs: DELAY_MS,
    });
    const a = await udpClient();
    const b = await udpClient();
    const c = await udpClient();
    try {
      const sentAt: number[] = [];
      const count = 100;
      for (let i = 0; i < count; i++) {
        sentAt.push(performance.now());
        // Two clients at once: each gets its own upstream socket and only its own answers.
        (i % 2 ? b : a).socket.send(datagram(i, 64 + (i % 7) * 100), relay.port, relay.host);
        if (i % 10 === 9) await new Promise((r) => setTimeout(r, 5));
      }
      await waitFor('every echo', () => a.got.length + b.got.length === count, 10_000);
      for (const [c, parity] of [
        [a, 0],
        [b, 1],
      ] as const) {
        const ids = c.got.map((g) => g.msg.readUInt32BE(0));
        expect(ids).toEqual(Array.from({ length: count / 2 }, (_, k) => k * 2 + parity));
        for (const g of c.got) {
          expect(g.msg.equals(datagram(g.msg.readUInt32BE(0), g.msg.length))).toBe(true);
        }
      }
      expect(relay.clients).toBe(2);
      expect(relay.stats).toEqual({
        up: { count, bytes: expect.any(Number) },
        down: { count, bytes: expect.any(Number) },
        dropped: 0,
      });
      const rtts = [...a.got, ...b.got]
        .map((g) => g.at - (sentAt[g.msg.readUInt32BE(0)] as number))
        .sort((x, y) => x - y);
      process.stdout.write(
        `udp delay relay, ${DELAY_MS} ms each way, ${count} datagrams: round trip min ${ms(rtts[0] as number)}, median ${ms(rtts[count / 2] as number)}, max ${ms(rtts[count - 1] as number)}\n`,
      );

      // While one datagram waits in the relay, twenty round trips straight to the echo, one after
      // the other, all come back: a relay that did not hold it would answer after about two.
      const order: string[] = [];
      c.socket.on('message', (msg) => {
        order.push(msg.toString());
        if (msg.toString().startsWith('direct') && order.length < 20) {
          c.socket.send(`direct ${order.length}`, portOf(echo), '127.0.0.1');
        }
      });
      c.socket.send('relayed', relay.port, relay.host);
      c.socket.send('direct 0', portOf(echo), '127.0.0.1');
      await waitFor('the relayed answer', () => order.includes('relayed'));
      expect(order.indexOf('relayed')).toBe(20);
    } finally {
      await relay.close();
      for (const x of [a, b, c]) await closeUdp(x.socket);
    }
    expect(openHandles()).toEqual(before);
    // Its port is free again.
    const again = createSocket('udp4');
    await new Promise<void>((r) => again.bind(relay.port, relay.host, r));
    await closeUdp(again);
  });

  it('drops datagrams past maxQueuedBytes, as a full queue would', async () => {
    const relay = await startDelayRelay({
      protocol: 'udp',
      target: { host: '127.0.0.1', port: portOf(echo) },
      delayMs: 1_000,
      maxQueuedBytes: 300,
    });
    const c = await udpClient();
    try {
      for (let i = 0; i < 10; i++) c.socket.send(datagram(i, 100), relay.port, relay.host);
      await waitFor('the datagrams that fit', () => c.got.length === 3, 10_000);
      expect(c.got.map((g) => g.msg.readUInt32BE(0))).toEqual([0, 1, 2]);
      expect(relay.stats.dropped).toBe(7);
    } finally {
      await relay.close();
      await closeUdp(c.socket);
    }
  });
});

describe('startDelayRelay (tcp)', () => {
  let echo: Server;
  const echoSockets = new Set<Socket>();
  beforeAll(async () => {
    // Echoes, and ends its side once the client ended its own (half-close crosses the relay).
    echo = createServer({ allowHalfOpen: true }, (s) => {
      echoSockets.add(s);
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end());
      s.on('close', () => echoSockets.delete(s));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => echo.close(r));
  });

  const dial = async (relay: DelayRelay): Promise<Socket> => {
    const s = connect({ port: relay.port, host: relay.host, allowHalfOpen: true });
    await new Promise((r) => s.once('connect', r));
    return s;
  };

  it('delays every chunk each way, keeps bytes and order, forwards the end, and close() frees its sockets', async () => {
    const before = openHandles();
    const relay = await startDelayRelay({
      protocol: 'tcp',
      target: { host: '127.0.0.1', port: portOf(echo) },
      delayMs: DELAY_MS,
    });
    const s = await dial(relay);
    const open = await dial(relay);
    try {
      const chunks: Buffer[] = [];
      let ended = false;
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => {
        ended = true;
      });
      const firstSent = performance.now();
      s.write(datagram(0, 10));
      await waitFor('the first echo', () => chunks.length > 0);
      const firstRtt = performance.now() - firstSent;
      const sent: Buffer[] = [datagram(0, 10)];
      for (let i = 1; i < 200; i++) {
        const b = datagram(i, 500 + i);
        sent.push(b);
        s.write(b);
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 10));
      }
      const total = Buffer.concat(sent);
      s.end();
      await waitFor('the end, after every byte', () => ended, 10_000);
      expect(Buffer.concat(chunks).equals(total)).toBe(true);
      expect(relay.stats.up.bytes).toBe(total.length);
      expect(relay.stats.down.bytes).toBe(total.length);
      process.stdout.write(
        `tcp delay relay, ${DELAY_MS} ms each way: first byte round trip ${ms(firstRtt)}, ${total.length} bytes intact\n`,
      );
      // The first pair is gone once both its ends closed; the other one stays open.
      await waitFor('the first pair closed', () => relay.clients === 1);

      // A connection still open when the relay closes is closed with it.
      let openClosed = false;
      // Half-open allowed on this socket: the relay's FIN shows as 'end' (a reset as 'close').
      const closedByRelay = () => {
        openClosed = true;
      };
      open
        .on('end', closedByRelay)
        .on('close', closedByRelay)
        .on('error', () => undefined);
      await waitFor('the upstream side connected', () => echoSockets.size === 1);
      await relay.close();
      await waitFor('the open connection closed', () => openClosed);
      await waitFor('the upstream side closed', () => echoSockets.size === 0);
    } finally {
      await relay.close();
      s.destroy();
      open.destroy();
    }
    await waitFor('every handle back', () =>
      JSON.stringify(openHandles()) === JSON.stringify(before) ? true : undefined,
    );
  });
});

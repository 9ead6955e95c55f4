import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, isIPv6, type Server, type Socket } from 'node:net';

export interface DelayRelayOptions {
  /** `udp`: datagram by datagram; `tcp`: each connection's chunks, both ways. */
  protocol: 'udp' | 'tcp';
  /** Where everything is forwarded to. */
  target: { host: string; port: number };
  /** How long each datagram or chunk waits before it is forwarded, each way (ms). */
  delayMs: number;
  /** Address to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port to listen on (default 0: a free one). */
  port?: number;
  /**
   * Bytes that may wait in the relay at once (default 16 MiB): past it a datagram is dropped,
   * as a full router queue would, and a TCP connection stops reading until its bytes left.
   */
  maxQueuedBytes?: number;
  /** UDP: a client silent this long loses its upstream socket (default 60 s). */
  idleMs?: number;
  /** UDP: clients relayed at once (default 64); datagrams of more are dropped. */
  maxClients?: number;
}

export interface DelayRelayStats {
  /** Datagrams or chunks forwarded client to target, and back. */
  up: { count: number; bytes: number };
  down: { count: number; bytes: number };
  /** UDP datagrams dropped (queue full, too many clients). */
  dropped: number;
}

export interface DelayRelay {
  protocol: 'udp' | 'tcp';
  host: string;
  port: number;
  readonly stats: DelayRelayStats;
  /** UDP clients or TCP connections relayed right now. */
  readonly clients: number;
  /** Drops whatever still waits, closes every socket and the listener. */
  close(): Promise<void>;
}

interface Pending {
  dueAt: number;
  bytes: number;
  deliver: () => void;
}

/**
 * A fixed delay with the order kept: one FIFO (every item waits the same time, so the head is
 * always due first) and one timer, armed for the head.
 */
class DelayLine {
  #queue: Pending[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  queuedBytes = 0;

  constructor(
    private readonly delayMs: number,
    private readonly onDelivered: () => void,
  ) {}

  push(bytes: number, deliver: () => void): void {
    this.#queue.push({ dueAt: performance.now() + this.delayMs, bytes, deliver });
    this.queuedBytes += bytes;
    if (!this.#timer) this.#arm();
  }

  #arm(): void {
    const next = this.#queue[this.#head];
    if (!next) return;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, next.dueAt - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (let p = this.#queue[this.#head]; p && p.dueAt <= now; p = this.#queue[this.#head]) {
      this.#head += 1;
      this.queuedBytes -= p.bytes;
      p.deliver();
    }
    // Compact now and then instead of shifting on every item.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#arm();
    this.onDelivered();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#head = 0;
    this.queuedBytes = 0;
  }
}

interface UdpClient {
  upstream: UdpSocket;
  lastSeen: number;
}

/**
 * A relay that forwards every UDP datagram or TCP chunk `delayMs` after it arrived, in order, in
 * front of `target`: a long path without netem. Each UDP client (address and port) gets its own
 * upstream socket, so the target sees one peer per client and its answers find their way back.
 */
export async function startDelayRelay(o: DelayRelayOptions): Promise<DelayRelay> {
  const host = o.host ?? '127.0.0.1';
  const stats: DelayRelayStats = {
    up: { count: 0, bytes: 0 },
    down: { count: 0, bytes: 0 },
    dropped: 0,
  };
  const count = (way: 'up' | 'down', bytes: number) => {
    stats[way].count += 1;
    stats[way].bytes += bytes;
  };
  const maxQueued = o.maxQueuedBytes ?? 16 * 1024 * 1024;
  const resumers = new Set<() => void>();
  const line = new DelayLine(o.delayMs, () => {
    if (line.queuedBytes > maxQueued) return;
    for (const r of resumers) r();
  });
  return o.protocol === 'udp'
    ? startUdp(o, host, line, maxQueued, stats, count)
    : startTcp(o, host, line, maxQueued, resumers, stats, count);
}

async function startUdp(
  o: DelayRelayOptions,
  host: string,
  line: DelayLine,
  maxQueued: number,
  stats: DelayRelayStats,
  count: (way: 'up' | 'down', bytes: number) => void,
): Promise<DelayRelay> {
  const type = isIPv6(host) ? 'udp6' : 'udp4';
  const idleMs = o.idleMs ?? 60_000;
  const maxClients = o.maxClients ?? 64;
  const clients = new Map<string, UdpClient>();
  const listener = createSocket(type);
  let closed = false;
  const clientFor = (address: string, port: number): UdpClient | undefined => {
    const key = `${address}|${port}`;
    const known = clients.get(key);
    if (known) return known;
    if (clients.size >= maxClients) return undefined;
    const upstream = createSocket(isIPv6(o.target.host) ? 'udp6' : 'udp4');
    const c: UdpClient = { upstream, lastSeen: performance.now() };
    upstream.on('message', (msg) => {
      if (line.queuedBytes + msg.length > maxQueued) {
        stats.dropped += 1;
        return;
      }
      line.push(msg.length, () => {
        if (closed) return;
        listener.send(msg, port, address);
        count('down', msg.length);
      });
    });
    // A datagram refused by the target (ICMP unreachable) is lost, as on the wire.
    upstream.on('error', () => undefined);
    upstream.connect(o.target.port, o.target.host);
    clients.set(key, c);
    return c;
  };
  listener.on('message', (msg, from) => {
    const c = clientFor(from.address, from.port);
    if (!c || line.queuedBytes + msg.length > maxQueued) {
      stats.dropped += 1;
      return;
    }
    c.lastSeen = performance.now();
    line.push(msg.length, () => {
      if (closed) return;
      try {
        // Sent before connect() completed: queued by Node until it does.
        c.upstream.send(msg);
        count('up', msg.length);
      } catch {
        // The client went idle and its socket was closed meanwhile: lost, as on the wire.
        stats.dropped += 1;
      }
    });
  });
  listener.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.bind(o.port ?? 0, host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const [key, c] of clients) {
        if (now - c.lastSeen > idleMs) {
          c.upstream.close();
          clients.delete(key);
        }
      }
    },
    Math.min(idleMs, 10_000),
  );
  sweep.unref();
  return {
    protocol: 'udp',
    host,
    port: listener.address().port,
    stats,
    get clients() {
      return clients.size;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      line.clear();
      for (const c of clients.values()) c.upstream.close();
      clients.clear();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

async function startTcp(
  o: DelayRelayOptions,
  host: string,
  line: DelayLine,
  maxQueued: number,
  resumers: Set<() => void>,
  stats: DelayRelayStats,
  count: (way: 'up' | 'down', bytes: number) => void,
): Promise<DelayRelay> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let closed = false;
  // Half-open allowed: a side's FIN is forwarded one delay later, after the bytes before it,
  // while the other way keeps flowing.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: o.target.host, port: o.target.port, allowHalfOpen: true });
    const pair = { client, upstream };
    pairs.add(pair);
    const resume = () => {
      client.resume();
      upstream.resume();
    };
    resumers.add(resume);
    const reset = () => {
      client.destroy();
      upstream.destroy();
    };
    const forward = (from: Socket, to: Socket, way: 'up' | 'down') => {
      from.on('data', (chunk: Buffer) => {
        line.push(chunk.length, () => {
          if (!to.writable) return;
          to.write(chunk);
          count(way, chunk.length);
        });
        if (line.queuedBytes > maxQueued) from.pause();
      });
      from.on('end', () => line.push(0, () => to.end()));
      // A reset on one side resets the other at once, as a middlebox that loses the flow would.
      from.on('error', reset);
      from.on('close', () => {
        if (client.destroyed && upstream.destroyed) {
          pairs.delete(pair);
          resumers.delete(resume);
        }
      });
    };
    forward(client, upstream, 'up');
    forward(upstream, client, 'down');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return {
    protocol: 'tcp',
    host,
    port: typeof addr === 'object' && addr ? addr.port : 0,
    stats,
    get clients() {
      return pairs.size;
    },
    async close() {
      if (closed) return;
      closed = true;
      line.clear();
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
      resumers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { connect, createServer, type Socket } from 'node:net';

export interface TcpRelay {
  host: string;
  port: number;
  /** Connections relayed right now. */
  readonly connections: number;
  /**
   * Bytes stop flowing both ways (new connections are accepted and held too), while every
   * socket stays open: a peer that hangs instead of failing.
   */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A TCP relay on a free port of `listenHost` (default loopback) in front of `target`. While paused nothing is read from
 * either side, so the kernel buffers fill and the sender's writes back up, as with a frozen
 * server: no reset, no FIN, no error.
 */
export async function startTcpRelay(
  target: { host: string; port: number },
  listenHost = '127.0.0.1',
): Promise<TcpRelay> {
  const pairs = new Set<Pair>();
  let paused = false;
  const server = createServer({ pauseOnConnect: true }, (client) => {
    const upstream = connect({ host: target.host, port: target.port });
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
    // pipe() resumes its source; a paused relay must not read anything yet.
    if (paused) {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    host: listenHost,
    port,
    get connections() {
      return pairs.size;
    },
    pause() {
      paused = true;
      for (const p of pairs) {
        p.client.pause();
        p.upstream.pause();
      }
    },
    resume() {
      paused = false;
      for (const p of pairs) {
        p.client.resume();
        p.upstream.resume();
      }
    },
    close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

import { execFile } from 'node:child_process';
import type { Socket } from 'node:net';
import { requireBinary } from '@pa-connector/test-support';
import { connectThrough } from './ingress-client';
import type { Stack } from './stack-types';

/** A user's long `GET /stream` through the ingress, watched as it flows. */
export interface UserStream {
  socket: Socket;
  /** Bytes received so far (the answer's head included). */
  received(): number;
  /** performance.now() of the latest bytes. */
  lastDataAt(): number;
  /** performance.now() when the user's connection ended, and how; undefined while it is open. */
  ended(): { at: number; how: string } | undefined;
  close(): void;
}

/**
 * Opens `GET /stream?seconds=N` on app `web` through the emulator's user ingress (CONNECT, then
 * the request on the same connection) and keeps reading it.
 */
export async function openUserStream(stack: Stack, seconds: number): Promise<UserStream> {
  const ingressHost = new URL(stack.emulator.ingressUrl).hostname;
  const app = stack.apps.web;
  const c = await connectThrough(ingressHost, stack.emulator.ingressPort, app.address);
  if (c.status !== 200) {
    c.socket.destroy();
    throw new Error(`CONNECT ${app.address} through the ingress: ${c.text}`);
  }
  const socket = c.socket;
  let received = 0;
  let lastDataAt = performance.now();
  let ended: { at: number; how: string } | undefined;
  const end = (how: string) => {
    ended ??= { at: performance.now(), how };
  };
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    lastDataAt = performance.now();
  });
  socket.on('end', () => end('end'));
  socket.on('error', (err: NodeJS.ErrnoException) => end(err.code ?? err.message));
  socket.on('close', () => end('close'));
  socket.write(`GET /stream?seconds=${seconds} HTTP/1.1\r\nHost: ${app.host}\r\n\r\n`);
  socket.resume();
  return {
    socket,
    received: () => received,
    lastDataAt: () => lastDataAt,
    ended: () => ended,
    close: () => socket.destroy(),
  };
}

/**
 * TCP connections of the connector (in the pop namespace) in state ESTABLISHED whose local end is
 * `address:port`: the proxy's side of connections that came in over the tunnel at `address`.
 */
export function establishedOn(stack: Stack, address: string, port: number): Promise<number> {
  const ip = requireBinary('ip', 'iproute2');
  const pop = stack.connector.host.netns;
  return new Promise((resolve, reject) => {
    execFile(
      ip,
      ['netns', 'exec', pop, 'ss', '-tnH', 'state', 'established', 'src', `${address}:${port}`],
      { timeout: 10_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`ss in ${pop}: ${stderr.trim() || err.message}`));
        else resolve(stdout.split('\n').filter((l) => l.trim() !== '').length);
      },
    );
  });
}

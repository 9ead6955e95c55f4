import type { Socket } from 'node:net';

/**
 * Pipes two sockets (both created with allowHalfOpen) into each other: when one side ends, the
 * other's write side is ended and the reverse direction keeps flowing (half-close); `pipe` pauses
 * a reader whose writer is full (backpressure). An error or reset on either side ends both.
 */
export function pipeBoth(a: Socket, b: Socket): void {
  a.on('close', (hadError) => {
    if (hadError) b.destroy();
  });
  b.on('close', (hadError) => {
    if (hadError) a.destroy();
  });
  a.pipe(b);
  b.pipe(a);
  a.resume();
  b.resume();
}

import { connect } from 'node:net';
import type { AppServer } from '@pa-connector/sse-api';
import { type ProbeResult, probeError } from './prober';

/**
 * Up when a TCP connection opens within `timeoutMs`; the connection is closed at once.
 * `address`: the checked IP to connect to (default the server's host as written).
 */
export function probeTcp(
  server: AppServer,
  timeoutMs: number,
  address = server.host,
): Promise<ProbeResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: server.port });
    const done = (error?: string) => {
      clearTimeout(timer);
      socket.destroy();
      const latencyMs = performance.now() - start;
      resolve(error === undefined ? { ok: true, latencyMs } : { ok: false, latencyMs, error });
    };
    const timer = setTimeout(() => done(`timeout after ${timeoutMs}ms`), timeoutMs);
    socket.once('connect', () => done());
    socket.once('error', (err) => done(probeError(err)));
  });
}

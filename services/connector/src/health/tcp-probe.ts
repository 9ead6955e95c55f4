import { connect } from 'node:net';
import type { AppServer } from '@pa-connector/sse-api';
import { systemClock } from '../clock';
import { type ProbeResult, probeError } from './prober';

/** Up when a TCP connection opens within `timeoutMs`; the connection is closed at once. */
export function probeTcp(server: AppServer, timeoutMs: number): Promise<ProbeResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: server.host, port: server.port });
    const done = (error?: string) => {
      timer.cancel();
      socket.destroy();
      const latencyMs = performance.now() - start;
      resolve(error === undefined ? { ok: true, latencyMs } : { ok: false, latencyMs, error });
    };
    const timer = systemClock.setTimer(() => done(`timeout after ${timeoutMs}ms`), timeoutMs);
    socket.once('connect', () => done());
    socket.once('error', (err) => done(probeError(err)));
  });
}

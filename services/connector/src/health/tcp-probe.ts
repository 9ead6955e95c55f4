import { connect, type Socket } from 'node:net';
import type { AppServer } from '@pa-connector/sse-api';
import { systemClock, type TimerHandle } from '../clock';
import { type ProbeResult, probeError } from './prober';

/**
 * Up when a TCP connection opens within `timeoutMs`; the connection is closed at once.
 * Never rejects: an address Node refuses to dial is a failed probe.
 * `address`: the checked IP to connect to (default the server's host as written).
 */
export function probeTcp(
  server: AppServer,
  timeoutMs: number,
  address = server.host,
): Promise<ProbeResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let timer: TimerHandle | undefined;
    let socket: Socket | undefined;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      socket?.destroy();
      const latencyMs = performance.now() - start;
      resolve(error === undefined ? { ok: true, latencyMs } : { ok: false, latencyMs, error });
    };
    try {
      socket = connect({ host: address, port: server.port });
    } catch (err) {
      done(probeError(err));
      return;
    }
    timer = systemClock.setTimer(() => done(`timeout after ${timeoutMs}ms`), timeoutMs);
    socket.once('connect', () => done());
    socket.once('error', (err) => done(probeError(err)));
  });
}

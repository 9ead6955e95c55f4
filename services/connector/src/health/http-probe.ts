import { request } from 'node:http';
import type { AppServer, HealthCheckMethod } from '@pa-connector/sse-api';
import { systemClock, type TimerHandle } from '../clock';
import { formatHostPort } from './host-port';
import { type ProbeResult, probeError } from './prober';

/**
 * Up when `method path` answers `expectStatus` within `timeoutMs` (the body is not read).
 * Never rejects: a request Node refuses to send (a bad path, say) is a failed probe.
 * `address`: the checked IP to connect to (default the server's host); Host names the server.
 */
export function probeHttp(
  server: AppServer,
  path: string,
  expectStatus: number,
  timeoutMs: number,
  method: HealthCheckMethod = 'GET',
  address = server.host,
): Promise<ProbeResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let timer: TimerHandle | undefined;
    let req: ReturnType<typeof request> | undefined;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      req?.destroy();
      const latencyMs = performance.now() - start;
      resolve(error === undefined ? { ok: true, latencyMs } : { ok: false, latencyMs, error });
    };
    try {
      req = request({
        host: address,
        port: server.port,
        path,
        method,
        agent: false,
        headers: { host: formatHostPort(server.host, server.port), connection: 'close' },
      });
    } catch (err) {
      done(probeError(err));
      return;
    }
    timer = systemClock.setTimer(() => done(`timeout after ${timeoutMs}ms`), timeoutMs);
    req.once('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      done(status === expectStatus ? undefined : `HTTP ${status}, expected ${expectStatus}`);
    });
    req.once('error', (err) => done(probeError(err)));
    req.end();
  });
}

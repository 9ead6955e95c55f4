import { request } from 'node:http';
import type { AppServer } from '@pa-connector/sse-api';
import { systemClock } from '../clock';
import { formatHostPort } from './host-port';
import { type ProbeResult, probeError } from './prober';

/** Up when `GET path` answers `expectStatus` within `timeoutMs` (the body is not read). */
export function probeHttp(
  server: AppServer,
  path: string,
  expectStatus: number,
  timeoutMs: number,
): Promise<ProbeResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      req.destroy();
      const latencyMs = performance.now() - start;
      resolve(error === undefined ? { ok: true, latencyMs } : { ok: false, latencyMs, error });
    };
    const req = request({
      host: server.host,
      port: server.port,
      path,
      method: 'GET',
      agent: false,
      headers: { host: formatHostPort(server.host, server.port), connection: 'close' },
    });
    const timer = systemClock.setTimer(() => done(`timeout after ${timeoutMs}ms`), timeoutMs);
    req.once('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      done(status === expectStatus ? undefined : `HTTP ${status}, expected ${expectStatus}`);
    });
    req.once('error', (err) => done(probeError(err)));
    req.end();
  });
}

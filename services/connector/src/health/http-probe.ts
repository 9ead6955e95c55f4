import { request } from 'node:http';
import type { AppServer } from '@pa-connector/sse-api';
import { formatHostPort } from './host-port';
import { type ProbeResult, probeError } from './prober';

/**
 * Up when `GET path` answers `expectStatus` within `timeoutMs` (the body is not read).
 * `address`: the checked IP to connect to (default the server's host); Host names the server.
 */
export function probeHttp(
  server: AppServer,
  path: string,
  expectStatus: number,
  timeoutMs: number,
  address = server.host,
): Promise<ProbeResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      const latencyMs = performance.now() - start;
      resolve(error === undefined ? { ok: true, latencyMs } : { ok: false, latencyMs, error });
    };
    const req = request({
      host: address,
      port: server.port,
      path,
      method: 'GET',
      agent: false,
      headers: { host: formatHostPort(server.host, server.port), connection: 'close' },
    });
    const timer = setTimeout(() => done(`timeout after ${timeoutMs}ms`), timeoutMs);
    req.once('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      done(status === expectStatus ? undefined : `HTTP ${status}, expected ${expectStatus}`);
    });
    req.once('error', (err) => done(probeError(err)));
    req.end();
  });
}

import type { AppServer, HealthCheck } from '@pa-connector/sse-api';
import { probeHttp } from './http-probe';
import { probeTcp } from './tcp-probe';

export interface ProbeResult {
  ok: boolean;
  /** Time the probe took (to failure, when it failed). */
  latencyMs: number;
  /** Why it failed, one line. */
  error?: string;
}

/** Checks one server once. Never rejects: a failure is a result. */
export type Prober = (
  server: AppServer,
  check: HealthCheck,
  timeoutMs: number,
) => Promise<ProbeResult>;

/** The real prober: a TCP connect, or an HTTP GET with the expected status. */
export const networkProber: Prober = (server, check, timeoutMs) =>
  check.type === 'http'
    ? probeHttp(server, check.path, check.expectStatus, timeoutMs)
    : probeTcp(server, timeoutMs);

/** One line of an error for a probe result (`ECONNREFUSED`, `timeout after 2000ms`, …). */
export function probeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = e?.code
    ? `${e.code}${e.message?.includes(e.code) ? '' : `: ${e.message}`}`
    : String(e?.message ?? err);
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

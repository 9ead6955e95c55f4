import type { AppServer, HealthCheck } from '@pa-connector/sse-api';
import { type DialPolicy, dialTarget } from '../dial/dial-policy';
import type { HostResolver } from '../dial/host-resolver';
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

/** The real prober: a TCP connect, or an HTTP GET (or HEAD) with the expected status. */
export const networkProber: Prober = (server, check, timeoutMs) =>
  check.type === 'http'
    ? probeHttp(server, check.path, check.expectStatus, timeoutMs, check.method)
    : probeTcp(server, timeoutMs);

/**
 * `prober` held to its contract: whatever it throws or rejects with becomes a failed result,
 * so one app's bad probe is that app's failure and never the process's.
 */
export function containedProber(prober: Prober): Prober {
  return async (server, check, timeoutMs) => {
    const start = performance.now();
    try {
      return await prober(server, check, timeoutMs);
    } catch (err) {
      return { ok: false, latencyMs: performance.now() - start, error: probeError(err) };
    }
  };
}

/**
 * The prober the data path uses: the server's host is resolved and checked by the same policy
 * as the proxy's (a server the proxy would refuse is never probed, and is down with the reason),
 * and the probe connects to the checked address.
 */
export function dialingProber(
  resolver: Pick<HostResolver, 'resolveAll'>,
  policy: Pick<DialPolicy, 'refusal'>,
): Prober {
  return async (server, check, timeoutMs) => {
    const start = performance.now();
    let address: string;
    try {
      const t = await dialTarget(server.host, resolver, policy, timeoutMs);
      if (!t.ok) {
        return {
          ok: false,
          latencyMs: performance.now() - start,
          error: `forbidden address ${t.address} (${t.why})`,
        };
      }
      address = t.address;
    } catch (err) {
      return { ok: false, latencyMs: performance.now() - start, error: probeError(err) };
    }
    const left = Math.max(1, timeoutMs - (performance.now() - start));
    return check.type === 'http'
      ? probeHttp(server, check.path, check.expectStatus, left, check.method, address)
      : probeTcp(server, left, address);
  };
}

/** One line of an error for a probe result (`ECONNREFUSED`, `timeout after 2000ms`, …). */
export function probeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = e?.code
    ? `${e.code}${e.message?.includes(e.code) ? '' : `: ${e.message}`}`
    : String(e?.message ?? err);
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

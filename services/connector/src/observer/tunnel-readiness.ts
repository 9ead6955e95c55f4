import type { ReadinessCheck } from '@pa-connector/service-runtime';
import type { TunnelView } from '../edge/tunnel-view';
import type { TunnelTable } from './tunnel-table';

/** What /ready shows of one tunnel. */
function detailOf(v: TunnelView) {
  return {
    phase: v.phase,
    since: v.since,
    gateway: v.gateway,
    remote: v.remote,
    ...(v.localAddress ? { localAddress: v.localAddress } : {}),
    ...(v.remoteAddress ? { remoteAddress: v.remoteAddress } : {}),
    reconnects: v.reconnects,
    bytesIn: v.bytesIn,
    bytesOut: v.bytesOut,
    ...(v.lastError && v.phase !== 'connected' ? { lastError: v.lastError } : {}),
  };
}

/** Ready with at least one tunnel connected. Pure: a function of the views alone. */
export function tunnelReadiness(views: readonly TunnelView[]): {
  ok: boolean;
  detail: { up: number; total: number; tunnels: Record<string, ReturnType<typeof detailOf>> };
} {
  const up = views.filter((v) => v.phase === 'connected').length;
  return {
    ok: up >= 1,
    detail: {
      up,
      total: views.length,
      tunnels: Object.fromEntries(views.map((v) => [v.name, detailOf(v)])),
    },
  };
}

/** The `tunnels` check of /ready, reading the observer's table. */
export function tunnelsCheck(table: TunnelTable): ReadinessCheck {
  return {
    name: 'tunnels',
    check: () => tunnelReadiness(table.list()).ok,
    detail: () => tunnelReadiness(table.list()).detail,
  };
}

import type { Gateway } from '@pa-connector/sse-api';

export interface GatewayPick {
  /** Tunnel name -> gateway, e.g. t1 -> gw1, t2 -> gw2; never the same gateway twice. */
  assignments: Array<{ tunnel: string; gateway: Gateway }>;
  /** Set when fewer tunnels than wanted can run (too few distinct gateways). */
  shortfall?: { wanted: number; distinct: number };
}

/** Two gateways are the same when they are the same server, whatever their names. */
function serverKey(g: Gateway): string {
  return `${g.host.toLowerCase()}|${g.port}|${g.protocol}`;
}

/**
 * Which gateway each tunnel goes to: `count` tunnels (`t1`, `t2`, ...) to as many DIFFERENT
 * gateways of the region, in the order the SSE listed them. With fewer distinct gateways, fewer
 * tunnels, and `shortfall` says so.
 */
export function pickGateways(gateways: readonly Gateway[], count: number): GatewayPick {
  const seen = new Set<string>();
  const distinct: Gateway[] = [];
  for (const g of gateways) {
    const k = serverKey(g);
    if (seen.has(k)) continue;
    seen.add(k);
    distinct.push(g);
  }
  const chosen = distinct.slice(0, count);
  return {
    assignments: chosen.map((gateway, i) => ({ tunnel: `t${i + 1}`, gateway })),
    ...(distinct.length < count ? { shortfall: { wanted: count, distinct: distinct.length } } : {}),
  };
}

/** Same server, same name and same check/controls: a running tunnel can stay as it is. */
export function sameGateway(a: Gateway, b: Gateway): boolean {
  return (
    serverKey(a) === serverKey(b) &&
    a.name === b.name &&
    a.serverName === b.serverName &&
    a.controlUrl === b.controlUrl
  );
}

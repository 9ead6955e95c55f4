/**
 * The health-scale catalog: `apps` apps of 10 servers each, all on one address of the app
 * namespace. Servers 0-8 of app i listen (port LISTEN_FROM + 9i + k); server 9 does not: for the
 * first half of the apps its port refuses (nothing listens), for the second half it is
 * black-holed (its SYNs dropped, so the probe waits for its timeout). Every app is therefore
 * `unhealthy` (9 of 10 up) until the bench changes a port.
 */
export const SERVERS_PER_APP = 10;
export const LISTEN_FROM = 20_000;

export interface ScaleLayout {
  apps: number;
  /** Ports that listen: LISTEN_FROM .. LISTEN_FROM + listening - 1. */
  listening: number;
  /** First port of the refused range (one per app of the first half). */
  refusedFrom: number;
  refused: number;
  /** First port of the black-holed range (one per app of the second half). */
  droppedFrom: number;
  dropped: number;
}

export function scaleLayout(apps: number): ScaleLayout {
  const listening = apps * (SERVERS_PER_APP - 1);
  const refusedFrom = LISTEN_FROM + listening;
  const refused = Math.floor(apps / 2);
  return {
    apps,
    listening,
    refusedFrom,
    refused,
    droppedFrom: refusedFrom + refused,
    dropped: apps - refused,
  };
}

export const appId = (i: number) => `hs-${String(i).padStart(4, '0')}`;

/** The port of server `k` of app `i`. */
function serverPort(layout: ScaleLayout, i: number, k: number): number {
  return k < SERVERS_PER_APP - 1
    ? LISTEN_FROM + i * (SERVERS_PER_APP - 1) + k
    : layout.refusedFrom + i;
}

/** The apps as catalog entries, TCP checks, every server on `host`. */
export function scaleCatalog(layout: ScaleLayout, host: string): unknown[] {
  return Array.from({ length: layout.apps }, (_, i) => ({
    id: appId(i),
    name: `Health-scale app ${i}`,
    host: `${appId(i)}.demo.internal`,
    port: 80,
    servers: Array.from({ length: SERVERS_PER_APP }, (_, k) => ({
      host,
      port: serverPort(layout, i, k),
    })),
    strategy: 'round-robin',
    healthCheck: { type: 'tcp' },
  }));
}

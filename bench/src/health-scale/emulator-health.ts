import type { Stack } from '@pa-connector/e2e/dist/stack';

interface ReportedApp {
  id: string;
  state: string;
  servers: Array<{ host: string; port: number; up: boolean }>;
}

interface GatewayHealth {
  connectorId: string;
  stale?: boolean;
  body: { apps?: ReportedApp[] };
}

/**
 * The apps of the last health update each gateway holds from `connectorId` (its tunnel there),
 * by id; a gateway without a fresh one gives an empty map. `GET /admin/gateways/:name` carries
 * the last update per connector and tunnel.
 */
async function reportedApps(
  stack: Stack,
  connectorId: string,
): Promise<Array<Map<string, ReportedApp>>> {
  return Promise.all(
    stack.gateways.map(async (g) => {
      const v = await stack.admin<{ health?: GatewayHealth[] }>('GET', `/admin/gateways/${g}`);
      const h = v.health?.find((x) => x.connectorId === connectorId && !x.stale);
      return new Map((h?.body.apps ?? []).map((a) => [a.id, a]));
    }),
  );
}

/**
 * Polls the emulator until `done` holds for the connector's last health update at every gateway
 * (both tunnels carried it); resolves with the
 * seconds it took from `since` (a `performance.now()`), or throws after `timeoutMs`.
 */
export async function waitForReport(
  stack: Stack,
  connectorId: string,
  what: string,
  done: (apps: Map<string, ReportedApp>) => boolean,
  since: number,
  timeoutMs: number,
  everyMs = 500,
): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    const views = await reportedApps(stack, connectorId);
    if (views.every(done)) return (performance.now() - since) / 1000;
    if (performance.now() > deadline) {
      throw new Error(`health-scale: ${what} not in the emulator after ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

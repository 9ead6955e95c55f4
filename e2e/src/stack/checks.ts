import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { getJson, waitUntil } from './http';
import type { LoggedProcess } from './logged-process';
import type { SideService, StackApp, StackService, TunnelDetail } from './stack-types';

/** The built programs the stack runs, by name. */
export type StackMains = Record<'emulator' | 'connector' | SideService, string>;

/** Fresh health update of one connector over one tunnel, as a gateway's admin view shows it. */
interface GatewayHealth {
  stale: boolean;
  body: { proxyPort?: number; apps?: Array<{ id: string; state: string }> };
}

function built(root: string, rel: string): string {
  const path = join(root, rel);
  if (!existsSync(path)) throw new Error(`${path} is missing: run "pnpm build" first`);
  return path;
}

/** Root, the binaries and the built programs, checked before anything starts. */
export function checkPrerequisites(root: string): { ip: string; mains: StackMains } {
  requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
  const ip = requireBinary('ip', 'iproute2');
  requireBinary('openvpn', 'openvpn');
  requireBinary('redis-server', 'redis-server');
  const mains = {
    emulator: built(root, 'packages/sse-emulator/dist/cli.js'),
    connector: built(root, 'services/connector/dist/main.js'),
    logging: built(root, 'services/logging/dist/main.js'),
    update: built(root, 'services/update/dist/main.js'),
    'pop-manager': built(root, 'services/pop-manager/dist/main.js'),
  };
  return { ip, mains };
}

/**
 * Polls `check` every 250 ms until it returns a value; fails at once when `p` exits, or after
 * `timeoutMs`, either way with `p`'s last lines.
 */
export async function pollWhileRunning<T>(
  p: LoggedProcess,
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  const lastLines = () => `; see ${p.logFile}; last lines:\n${p.tail().join('\n')}`;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (!p.running()) {
      throw new Error(
        `${p.name} exited (${await p.exited}) while waiting for ${what}${lastLines()}`,
      );
    }
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${what} did not happen within ${timeoutMs / 1000}s${last ? ` (${String(last)})` : ''}${lastLines()}`,
  );
}

/** The connector's tunnels as its /ready shows them; none while it does not answer. */
export async function readTunnels(connectorUrl: string): Promise<Record<string, TunnelDetail>> {
  try {
    const r = await getJson(`${connectorUrl}/ready`);
    const body = r.body as {
      checks?: { tunnels?: { detail?: { tunnels?: Record<string, TunnelDetail> } } };
    };
    return body.checks?.tunnels?.detail?.tunnels ?? {};
  } catch {
    return {};
  }
}

/** Waits until `count` of the connector's tunnels are connected (the connector may be replaced). */
export function waitForConnectedTunnels(
  connector: () => LoggedProcess,
  connectorUrl: string,
  count: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Record<string, TunnelDetail>> {
  return pollWhileRunning(
    connector(),
    `${count} connected tunnels`,
    async () => {
      const t = await readTunnels(connectorUrl);
      const up = Object.values(t).filter((v) => v.phase === 'connected').length;
      return up >= count ? t : undefined;
    },
    timeoutMs,
    signal,
  );
}

/** Waits until the service answers /ready 200, failing early if it exits. */
export function waitForReady(
  s: StackService,
  what: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<true> {
  return pollWhileRunning(
    s.process,
    `${s.name} /ready 200${what}`,
    async () => ((await getJson(`${s.url}/ready`)).status === 200 ? true : undefined),
    timeoutMs,
    signal,
  );
}

/**
 * Waits until `count` fresh health updates (one per tunnel, over all gateways) say `app` is in
 * `state`: only then can the ingress route to it. An aborted start stops waiting at once.
 */
export async function waitForAppState(
  admin: <T>(method: string, path: string) => Promise<T>,
  gateways: readonly string[],
  app: StackApp,
  state: string,
  count: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  await waitUntil(
    `${count} tunnels reporting ${app.id} ${state}`,
    async () => {
      if (signal?.aborted) return true;
      let n = 0;
      for (const g of gateways) {
        const v = await admin<{ health?: GatewayHealth[] }>('GET', `/admin/gateways/${g}`);
        for (const h of v.health ?? []) {
          if (h.stale || !h.body.proxyPort) continue;
          if (h.body.apps?.some((a) => a.id === app.id && a.state === state)) n += 1;
        }
      }
      return n >= count ? true : undefined;
    },
    timeoutMs,
  );
}

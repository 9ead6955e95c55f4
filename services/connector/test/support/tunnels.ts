import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { regionConfig } from '@pa-connector/sse-emulator';
import {
  requireBinary,
  requireRoot,
  startRedis,
  type TestRedis,
  Topology,
  waitFor,
} from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import type { TunnelView } from '../../src/edge/tunnel-view';
import { type InProcessConnector, scratch, startInProcess, testEnv } from './connector';

/**
 * A program that runs openvpn inside network namespace `netns` (`exec` keeps the PID, so the
 * connector's child PID is openvpn's own). The connector is started with it as PA_OPENVPN_PATH,
 * so its tunnels live in the test's namespace and never touch the host's network.
 */
export function openvpnInNetns(dir: string, netns: string): string {
  const path = join(dir, `openvpn-in-${netns}`);
  writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${netns} openvpn "$@"\n`);
  chmodSync(path, 0o700);
  return path;
}

export interface GatewaySpec {
  protocol: 'udp' | 'tcp';
  /** Reach the gateway over IPv6 (its host in the registration is its IPv6 address). */
  ipv6?: boolean;
}

export interface TunnelWorld {
  topo: Topology;
  redis: TestRedis;
  emu: EmulatorHarness;
  tmp: ReturnType<typeof scratch>;
  prefix: string;
  /** Settings for a connector whose tunnels run in the `connector` namespace. */
  env(extra?: Record<string, string>): Promise<Record<string, string>>;
  cleanup(): Promise<void>;
}

/**
 * Namespaces gw1, gw2 and connector, Redis, and the emulator running one real openvpn gateway
 * per namespace. Needs root and openvpn (fails loudly without them).
 */
export async function startTunnelWorld(
  gateways: [GatewaySpec, GatewaySpec],
  extraRoles: string[] = [],
): Promise<TunnelWorld> {
  requireRoot('tunnels need network namespaces and tun devices');
  requireBinary('openvpn', 'openvpn');
  const topo = await Topology.create({ roles: ['gw1', 'gw2', 'connector', ...extraRoles] });
  const tmp = scratch();
  let redis: TestRedis | undefined;
  let emu: EmulatorHarness | undefined;
  try {
    redis = await startRedis();
    emu = await startEmulatorHarness({
      gateways: true,
      regions: [
        regionConfig(
          'local',
          gateways.map((g, i) => {
            const h = topo.host(`gw${i + 1}`);
            return {
              host: g.ipv6 ? h.ipv6 : h.ipv4,
              port: 1194,
              protocol: g.protocol,
              netns: h.netns,
            };
          }),
        ),
      ],
    });
  } catch (err) {
    await emu?.stop();
    await redis?.stop();
    await topo.destroy();
    tmp.cleanup();
    throw err;
  }
  const r = redis;
  const e = emu;
  const prefix = `${r.prefix}${Math.random().toString(36).slice(2, 8)}:`;
  const openvpn = openvpnInNetns(tmp.dir, topo.host('connector').netns);
  let n = 0;
  return {
    topo,
    redis: r,
    emu: e,
    tmp,
    prefix,
    async env(extra = {}) {
      const groupId = await e.admin.group(`tunnels-${++n}`);
      const { key } = await e.admin.key(groupId);
      return testEnv({
        sseUrls: [e.sseUrl],
        caCertPath: e.caCertPath,
        dataDir: join(tmp.dir, `data-${n}`),
        redisUrl: r.url,
        redisPrefix: prefix,
        keyFile: tmp.file(`key-${n}`, `${key}\n`),
        extra: {
          PA_TUNNELS: '2',
          PA_OPENVPN_PATH: openvpn,
          PA_TUNNEL_RUN_DIR: join(tmp.dir, `run-${n}`),
          PA_TUNNEL_RESTART_INITIAL_DELAY: '200ms',
          PA_TUNNEL_RESTART_MAX_DELAY: '2s',
          ...extra,
        },
      });
    },
    async cleanup() {
      await e.stop();
      await r.stop();
      await topo.destroy();
      tmp.cleanup();
    },
  };
}

/** Tunnel views of a running connector, by name. */
export function tunnelViews(c: InProcessConnector): Record<string, TunnelView> {
  const views = c.service.tunnels?.views() ?? [];
  return Object.fromEntries(views.map((v) => [v.name, v]));
}

/** Waits until `pred` holds for the connector's tunnels; resolves with the time it took (ms). */
export async function waitForTunnels(
  c: InProcessConnector,
  what: string,
  pred: (t: Record<string, TunnelView>) => boolean,
  timeoutMs = 30_000,
): Promise<number> {
  const started = performance.now();
  await waitFor(what, () => pred(tunnelViews(c)), timeoutMs);
  return performance.now() - started;
}

export const up = (v: TunnelView | undefined) => v?.phase === 'connected';

export { startInProcess };

#!/usr/bin/env node
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSecretFile } from '@pa-connector/config';
import {
  repoRoot,
  requireBinary,
  requireRoot,
  type ServiceProcess,
  spawnTracked,
  startRedis,
  startServiceProcess,
  stopAll,
  Topology,
} from '@pa-connector/test-support';
import { option } from './cli-args';
/**
 * Tunnels, end to end: the built emulator runs two real openvpn gateways in network namespaces,
 * the built connector (already enrolled) keeps its two tunnels to them from a third namespace.
 * Prints, in seconds: start of the connector process to both tunnels up; a gateway killed
 * (SIGKILL, no goodbye) to the connector noticing; the gateway back to its tunnel up again.
 * Detection and reconnection are measured `--rounds` times (median reported, max alongside).
 * Figures only, no assertions. Needs root and openvpn.
 *
 *   pnpm exec tsc -b bench services/connector packages/sse-emulator && node bench/dist/tunnels.js \
 *     [--rounds 3] [--protocol udp|tcp]
 */
import { printFigures } from './print-figures';

export interface TunnelBenchOptions {
  rounds?: number;
  protocol?: 'udp' | 'tcp';
}

interface TunnelDetail {
  phase: string;
}

/** How often /ready is read while timing (the figures' resolution). */
const POLL_MS = 20;

/** An option's value; one given without a value counts as absent, as it always did. */
function arg(name: string): string | undefined {
  const o = option(name);
  return o === true ? undefined : o;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function phases(c: ServiceProcess): Promise<Record<string, string>> {
  try {
    const body = (await c.get('/ready')).json<{
      checks: { tunnels?: { detail?: { tunnels?: Record<string, TunnelDetail> } } };
    }>();
    const t = body.checks.tunnels?.detail?.tunnels ?? {};
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.phase]));
  } catch {
    return {};
  }
}

/** Polls /ready until `pred` holds; resolves with the seconds since `from`. */
async function until(
  c: ServiceProcess,
  what: string,
  pred: (p: Record<string, string>) => boolean,
  from: number,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (pred(await phases(c))) return (performance.now() - from) / 1000;
    if (performance.now() > deadline) {
      throw new Error(
        `tunnels bench: no "${what}" within ${timeoutMs} ms; last lines:\n${c.process.lines.slice(-15).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function admin<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(path, url), {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`emulator ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function runTunnelBench(o: TunnelBenchOptions = {}): Promise<Record<string, number>> {
  requireRoot('the tunnels bench creates network namespaces and tun devices');
  requireBinary('openvpn', 'openvpn');
  const rounds = o.rounds ?? 3;
  const protocol = o.protocol ?? 'udp';
  const root = repoRoot();
  const cli = join(root, 'packages', 'sse-emulator', 'dist', 'cli.js');
  if (!existsSync(cli)) {
    throw new Error(
      `tunnels bench: ${cli} is missing; build first (pnpm exec tsc -b packages/sse-emulator)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-tunnels-'));
  const topo = await Topology.create({ roles: ['gw1', 'gw2', 'connector'] });
  const redis = await startRedis();
  let connector: ServiceProcess | undefined;
  try {
    const [g1, g2] = [topo.host('gw1'), topo.host('gw2')];
    const emu = spawnTracked(process.execPath, [
      cli,
      'serve',
      '--data-dir',
      join(dir, 'emulator'),
      '--port',
      '0',
      '--admin-port',
      '0',
      '--gateways',
      '--region',
      `local=${g1.ipv4}:1194/${protocol}@${g1.netns},${g2.ipv4}:1194/${protocol}@${g2.netns}`,
    ]);
    const listening = JSON.parse(await emu.waitForLine(/"event":"listening"/, 60_000)) as {
      sseUrl: string;
      adminUrl: string;
      caCertPath: string;
    };
    const group = await admin<{ id: string }>(listening.adminUrl, 'POST', '/admin/groups', {
      name: 'bench',
    });
    const key = await admin<{ key: string }>(
      listening.adminUrl,
      'POST',
      `/admin/groups/${group.id}/keys`,
      {},
    );
    const keyFile = join(dir, 'provisioning-key');
    await writeSecretFile(keyFile, `${key.key}\n`);
    // The connector's openvpn runs in the connector namespace (exec keeps openvpn's PID).
    const openvpn = join(dir, 'openvpn-in-netns');
    writeFileSync(
      openvpn,
      `#!/bin/sh\nexec ip netns exec ${topo.host('connector').netns} openvpn "$@"\n`,
    );
    chmodSync(openvpn, 0o700);
    const env = {
      PA_SSE_URLS: listening.sseUrl,
      PA_SSE_CA_FILE: listening.caCertPath,
      PA_PROVISIONING_KEY_FILE: keyFile,
      PA_DATA_DIR: join(dir, 'connector'),
      PA_REDIS_URL: redis.url,
      PA_REDIS_PREFIX: `${redis.prefix}bench-tunnels:`,
      PA_HOSTNAME: 'bench-pop',
      PA_LOG_LEVEL: 'warn',
      PA_TUNNELS: '2',
      PA_OPENVPN_PATH: openvpn,
      PA_TUNNEL_RUN_DIR: join(dir, 'run'),
    };
    const bothUp = (p: Record<string, string>) => p.t1 === 'connected' && p.t2 === 'connected';

    // Enroll once; the figure is for a connector that is already enrolled.
    connector = await startServiceProcess({ service: 'connector', env });
    await until(connector, 'both tunnels up (enrolling run)', bothUp, performance.now());
    await connector.stop();

    const spawnedAt = performance.now();
    connector = await startServiceProcess({ service: 'connector', env, built: true });
    const c = connector;
    const tunnelsUp = await until(c, 'both tunnels up', bothUp, spawnedAt);

    const gateways = await admin<Array<{ name: string }>>(
      listening.adminUrl,
      'GET',
      '/admin/gateways',
    );
    const gw1 = gateways[0]?.name ?? 'local-gw1';
    const detect: number[] = [];
    const reconnect: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await until(c, 'both tunnels up', bothUp, performance.now());
      // Land the kill at a random point of the gateway's ping period.
      await new Promise((r) => setTimeout(r, Math.random() * 1_000));
      const killedAt = performance.now();
      await admin(listening.adminUrl, 'POST', `/admin/gateways/${gw1}/kill`);
      detect.push(await until(c, 't1 noticed down', (p) => p.t1 !== 'connected', killedAt));
      const startedAt = performance.now();
      await admin(listening.adminUrl, 'POST', `/admin/gateways/${gw1}/start`);
      reconnect.push(await until(c, 't1 up again', (p) => p.t1 === 'connected', startedAt));
    }
    await c.stop();
    connector = undefined;
    await emu.stop();
    return {
      tunnels_up_s: round3(tunnelsUp),
      dead_gateway_detect_s: round3(median(detect)),
      dead_gateway_detect_max_s: round3(Math.max(...detect)),
      reconnect_s: round3(median(reconnect)),
      reconnect_max_s: round3(Math.max(...reconnect)),
      rounds,
    };
  } finally {
    await connector?.stop();
    await stopAll();
    await redis.stop();
    await topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void printFigures('tunnels', () => {
    const rounds = Number(arg('rounds') ?? 3);
    const protocol = arg('protocol') ?? 'udp';
    if (!Number.isInteger(rounds) || rounds < 1)
      throw new Error('--rounds must be a positive whole number');
    if (protocol !== 'udp' && protocol !== 'tcp') throw new Error('--protocol must be udp or tcp');
    return runTunnelBench({ rounds, protocol });
  });
}

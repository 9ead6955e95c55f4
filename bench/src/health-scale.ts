#!/usr/bin/env node
import { join } from 'node:path';
import { type Stack, startStack } from '@pa-connector/e2e/dist/stack';
import { requireBinary, run, stopAll } from '@pa-connector/test-support';
import { option, positiveInteger } from './cli-args';
import { spawnInNetns } from './data-path/netns-process';
import { openFilesLimit, statusKb } from './data-path/process-memory';
import {
  appId,
  LISTEN_FROM,
  SERVERS_PER_APP,
  scaleCatalog,
  scaleLayout,
} from './health-scale/catalog';
import { waitForReport } from './health-scale/emulator-health';
import { cpuSeconds } from './health-scale/process-cpu';
/**
 * Health checks at scale, figures only: the e2e stack (emulator with its two gateways, the
 * connector with its two tunnels) and a catalog of 1 000 apps of 10 servers each, the servers
 * being ONE process in the app1 namespace listening on 9 000 ports, with 500 ports refusing
 * (nothing listens) and 500 black-holed (iptables DROP in app1: the probe times out). The
 * connector runs with a 30 s health interval and its shipped timeout and thresholds.
 *
 * Figures: the time of one full round of probes (the connector's own
 * `pa_connector_health_round_duration_seconds`), the connector's CPU over whole intervals of
 * steady probing (utime + stime from /proc, over wall time), its RSS, and how long a change of
 * servers (ports that refused start listening) takes to reach the emulator's gateways in a
 * health update. `--down` also times servers that stop listening (those need the failure
 * threshold's consecutive failed probes, so up to that many intervals). Targets are printed
 * beside the figures, never asserted. Needs root, openvpn, redis-server, iptables and a built
 * tree (`pnpm build`).
 *
 *   pnpm exec tsc -b && node bench/dist/health-scale.js [--apps 1000] [--interval 30]
 *     [--intervals 2] [--down] [--keep]
 */
import { printFigures } from './print-figures';

export interface HealthScaleOptions {
  /** Apps in the catalog, 10 servers each (default 1 000). */
  apps?: number;
  /** The connector's health interval in seconds (default 30). */
  intervalSeconds?: number;
  /** Whole intervals the CPU is measured over (default 2). */
  intervals?: number;
  /** Also time servers going down (default false: up to failure-threshold intervals more). */
  down?: boolean;
  /** Keep the stack's run directory (its logs) after the run (default false). */
  keepRunDir?: boolean;
}

/** Changed ports per publication measurement: ten apps' worth. */
const CHANGED_APPS = 10;

const verdict = (met: boolean, what: string) => `${met ? 'met' : 'missed'}: ${what}`;

function connectorEnv(intervalSeconds: number): Record<string, string> {
  return {
    // The shipped probe timeout, thresholds and update interval: only the interval is the issue's.
    PA_HEALTH_INTERVAL: `${intervalSeconds}s`,
    PA_HEALTH_TIMEOUT: '2s',
    PA_HEALTH_FAILURE_THRESHOLD: '3',
    PA_HEALTH_RECOVERY_THRESHOLD: '2',
    PA_HEALTH_UPDATE_INTERVAL: '5s',
    PA_HEARTBEAT_INTERVAL: '10s',
    // The bench's catalog arrives within 5 s instead of 30 s.
    PA_CATALOG_INTERVAL: '5s',
  };
}

/** One metric's value from a Prometheus text page (unlabelled series). */
function metric(page: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(page);
  return m ? Number(m[1]) : undefined;
}

async function connectorMetrics(stack: Stack): Promise<string> {
  const res = await fetch(`${stack.connector.url}/metrics`, {
    signal: AbortSignal.timeout(10_000),
  });
  return res.text();
}

const ROUNDS = 'pa_connector_health_rounds_total';
const ROUND_SECONDS = 'pa_connector_health_round_duration_seconds';
const ROUND_PROBES = 'pa_connector_health_round_probes';

/** Resolves when the connector has finished another full round of probes than it had. */
async function nextRoundEnd(stack: Stack, timeoutMs: number): Promise<void> {
  const before = metric(await connectorMetrics(stack), ROUNDS) ?? 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    if ((metric(await connectorMetrics(stack), ROUNDS) ?? 0) > before) return;
    if (Date.now() > deadline) throw new Error('health-scale: no round of probes ended in time');
  }
}

export async function runHealthScaleBench(
  o: HealthScaleOptions = {},
): Promise<Record<string, number | string>> {
  requireBinary('iptables', 'iptables');
  const say = (line: string) => process.stderr.write(`health-scale: ${line}\n`);
  const layout = scaleLayout(o.apps ?? 1_000);
  const interval = o.intervalSeconds ?? 30;
  const intervals = o.intervals ?? 2;
  const servers = layout.apps * SERVERS_PER_APP;
  const stack = await startStack({
    connectorEnv: connectorEnv(interval),
    healthStale: '15s',
    keepRunDir: o.keepRunDir ?? false,
    progress: (line) => say(line),
  });
  if (o.keepRunDir) say(`run directory ${stack.runDir} is kept`);
  try {
    const app1 = stack.topology.host('app1');
    const pid = stack.connector.process.pid;
    await run('ip', [
      ...['netns', 'exec', app1.netns, 'iptables', '-I', 'INPUT', '-p', 'tcp'],
      ...['--dport', `${layout.droppedFrom}:${layout.droppedFrom + layout.dropped - 1}`],
      ...['-j', 'DROP'],
    ]);
    // Each listener is an open file: the process gets the hard limit as its soft one.
    const { hard } = openFilesLimit(process.pid);
    if (hard < layout.listening + 100) {
      throw new Error(`open-files hard limit ${hard} is below ${layout.listening} listeners`);
    }
    const opened = `${layout.refusedFrom}-${layout.refusedFrom + CHANGED_APPS - 1}`;
    // App CHANGED_APPS (of the refusing half) loses every listening server with --down.
    const closedFrom = LISTEN_FROM + CHANGED_APPS * (SERVERS_PER_APP - 1);
    const closed = `${closedFrom}-${closedFrom + SERVERS_PER_APP - 2}`;
    const listeners = spawnInNetns(app1.netns, 'prlimit', [
      `--nofile=${hard}:${hard}`,
      process.execPath,
      join(__dirname, 'health-scale', 'listeners-process.js'),
      ...['--host', app1.ipv4, '--from', String(LISTEN_FROM)],
      ...['--count', String(layout.listening), '--open-later', opened, '--close-later', closed],
    ]);
    await listeners.waitForLine(/"event":"listening"/, 60_000);
    say(
      `${layout.listening} listeners on ${app1.ipv4} in ${app1.netns}, ${layout.refused} ports refusing, ${layout.dropped} black-holed`,
    );

    // The stack's own apps stay: startStack's checks and the ingress use `web`.
    const group = await stack.admin<{ apps: unknown[] }>('GET', `/admin/groups/${stack.groupId}`);
    await stack.admin('PUT', `/admin/groups/${stack.groupId}/apps`, [
      ...group.apps,
      ...scaleCatalog(layout, app1.ipv4),
    ]);
    const published = performance.now();
    say(
      `catalog of ${layout.apps} apps (${servers} servers) published; waiting for the first round`,
    );
    const connectorId = stack.connector.connectorId;
    const last = appId(layout.apps - 1);
    const firstRound = await waitForReport(
      stack,
      connectorId,
      `every app's first state`,
      (apps) => {
        const a = apps.get(last);
        return a !== undefined && a.servers.filter((s) => s.up).length === SERVERS_PER_APP - 1;
      },
      published,
      (interval * 6 + 120) * 1000,
    ).catch(async (err: unknown) => {
      const page = await connectorMetrics(stack).catch(() => '');
      const lines = page.split('\n').filter((l) => /health_(round|updates_total)/.test(l));
      say(`the connector's health metrics:\n${lines.join('\n')}`);
      throw err;
    });
    say(`every app reported after ${firstRound.toFixed(1)} s; measuring ${intervals} intervals`);

    // Steady state: from the end of a round, whole intervals.
    await nextRoundEnd(stack, (interval * 4 + 60) * 1000);
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, intervals * interval * 1000));
    const cpu1 = cpuSeconds(pid);
    const wall = (performance.now() - t0) / 1000;
    const page = await connectorMetrics(stack);
    const cycle = metric(page, ROUND_SECONDS) ?? Number.NaN;
    const probes = metric(page, ROUND_PROBES) ?? Number.NaN;
    const rssMb = statusKb(pid, 'VmRSS') / 1024;
    const hwmMb = statusKb(pid, 'VmHWM') / 1024;
    const userCores = (cpu1.user - cpu0.user) / wall;
    const systemCores = (cpu1.system - cpu0.system) / wall;
    const cores = userCores + systemCores;
    say(
      `round ${cycle.toFixed(1)} s of ${probes} probes; ${cores.toFixed(3)} cores over ${wall.toFixed(0)} s`,
    );

    // Publication: ports of CHANGED_APPS apps that refused start listening.
    const changed = Array.from({ length: CHANGED_APPS }, (_, i) => appId(i));
    listeners.child.kill('SIGUSR1');
    const openedAt = performance.now();
    await listeners.waitForLine(/"event":"open-later"/, 10_000);
    const publishUp = await waitForReport(
      stack,
      connectorId,
      `${CHANGED_APPS} apps up`,
      (apps) => changed.every((id) => apps.get(id)?.state === 'up'),
      openedAt,
      (interval * 6 + 60) * 1000,
    );
    say(`servers that started listening reported up after ${publishUp.toFixed(1)} s`);

    let down: Record<string, number | string> = {};
    if (o.down) {
      listeners.child.kill('SIGUSR2');
      const closedAt = performance.now();
      await listeners.waitForLine(/"event":"close-later"/, 10_000);
      const id = appId(CHANGED_APPS);
      const publishDown = await waitForReport(
        stack,
        connectorId,
        `app ${id} down`,
        (apps) => apps.get(id)?.state === 'down',
        closedAt,
        (interval * 5 + 60) * 1000,
      );
      say(`servers that stopped listening reported down after ${publishDown.toFixed(1)} s`);
      down = { health_publish_down_s: round1(publishDown) };
    }

    return {
      health_apps: layout.apps,
      health_servers: servers,
      health_servers_refused: layout.refused,
      health_servers_blackholed: layout.dropped,
      health_interval_s: interval,
      health_cycle_s: round1(cycle),
      health_cycle_target: verdict(cycle <= interval, `<= the ${interval} s interval`),
      health_cpu_cores: Math.round(cores * 1000) / 1000,
      health_cpu_target: verdict(cores <= 0.25, '<= 0.25 core on average'),
      health_cpu_user_cores: Math.round(userCores * 1000) / 1000,
      health_cpu_system_cores: Math.round(systemCores * 1000) / 1000,
      health_cpu_window_s: Math.round(wall),
      health_rss_mb: round1(rssMb),
      health_rss_peak_mb: round1(hwmMb),
      health_first_round_s: round1(firstRound),
      health_publish_s: round1(publishUp),
      health_publish_target: verdict(publishUp <= interval, `<= one ${interval} s interval`),
      ...down,
    };
  } finally {
    await stopAll();
    await stack.stop();
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

if (require.main === module) {
  void printFigures('health-scale', () =>
    runHealthScaleBench({
      apps: positiveInteger('apps', 1_000),
      intervalSeconds: positiveInteger('interval', 30),
      intervals: positiveInteger('intervals', 2),
      down: option('down') === true,
      keepRunDir: option('keep') === true,
    }),
  );
}

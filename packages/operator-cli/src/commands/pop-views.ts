import { formatPairs, formatTable } from '../format/table';
import { formatAge, formatBytes, formatSeconds, text } from '../format/units';
import type { PopStatus } from '../pop-status';

/** Counts per status, in a stable order: `2 connected, 1 down`. */
function tally(values: readonly string[], order: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const keys = [
    ...order.filter((k) => counts.has(k)),
    ...[...counts.keys()].filter((k) => !order.includes(k)),
  ];
  return keys.length === 0 ? 'none' : keys.map((k) => `${counts.get(k)} ${k}`).join(', ');
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** `cpu 12%, memory 41% of 3.8 GiB, disk 20% of 30 GiB, load 0.1 0.2 0.3, up 2d 3h`. */
function hostLine(host: Obj | undefined): string | undefined {
  if (!host) return undefined;
  const parts: string[] = [];
  const cpu = num(host.cpuPercent);
  if (cpu !== undefined) parts.push(`cpu ${cpu.toFixed(0)}%`);
  for (const what of ['memory', 'disk'] as const) {
    const m = obj(host[what]);
    const pct = num(m?.usedPercent);
    if (m && pct !== undefined)
      parts.push(`${what} ${pct.toFixed(0)}% of ${formatBytes(m.totalBytes)}`);
  }
  const load = obj(host.load);
  if (load) parts.push(`load ${[load.one, load.five, load.fifteen].map((n) => text(n)).join(' ')}`);
  const up = num(host.uptimeSeconds);
  if (up !== undefined) parts.push(`up ${formatSeconds(up)}`);
  return parts.length ? parts.join(', ') : undefined;
}

/** `last delivered 12s ago` or `last delivered 5m 2s ago; failing: sse_unavailable ...`. */
function pushLine(push: Obj, now: Date): string {
  const last = push.lastSuccessAt;
  const parts = [
    typeof last === 'string' ? `last delivered ${formatAge(last, now)}` : 'not delivered yet',
  ];
  const err = obj(push.lastError);
  if (err) parts.push(`failing: ${text(err.message ?? err.code)}`);
  if (push.pending === true) parts.push('a status is waiting');
  return parts.join('; ');
}

/** The connector's own view in `status`: its readiness, whether it drains, its group. */
export interface ConnectorLines {
  ready: string;
  /** `yes`, `no` or `unknown`. */
  draining: string;
  /** The group's line, or `unknown: <why>`. */
  group: string;
}

/** `status`: the POP in one screen: who it is, its services, a line each for tunnels and apps. */
export function renderStatus(s: PopStatus, now: Date, connector?: ConnectorLines): string {
  const pairs: [string, string][] = [
    ['POP', text(s.hostname)],
    ['reported', s.reportedAt ? `${s.reportedAt} (${formatAge(s.reportedAt, now)})` : '-'],
  ];
  if (s.version) pairs.push(['version', s.version]);
  const host = hostLine(s.host);
  if (host) pairs.push(['host', host]);
  pairs.push([
    'tunnels',
    tally(
      s.tunnels.map((t) => text(t.phase)),
      ['connected', 'connecting', 'reconnecting', 'down', 'stopped'],
    ),
  ]);
  pairs.push([
    'apps',
    tally(
      s.apps.map((a) => text(a.status)),
      ['up', 'unhealthy', 'down'],
    ),
  ]);
  if (s.push) pairs.push(['push to SSE', pushLine(s.push, now)]);
  if (connector) {
    pairs.push(['connector', connector.ready]);
    pairs.push(['draining', connector.draining]);
    pairs.push(['group', connector.group]);
  }
  pairs.push(['recent errors', String(s.recentErrors.length)]);
  const services = formatTable(
    [
      { header: 'SERVICE' },
      { header: 'STATUS' },
      { header: 'VERSION' },
      { header: 'PID', align: 'right' },
      { header: 'STARTED' },
      { header: 'LAST HEARTBEAT' },
      { header: 'REASON' },
    ],
    s.services.map((x) => [
      x.name,
      x.status,
      text(x.version),
      text(x.pid),
      formatAge(x.started, now),
      formatAge(x.updated, now),
      text(x.reason),
    ]),
  );
  const parts = [
    formatPairs(pairs),
    '',
    s.services.length ? services : 'No service has reported a heartbeat.',
  ];
  if (s.recentErrors.length) {
    parts.push('', 'Recent errors:');
    for (const e of s.recentErrors.slice(-5)) {
      const cause = typeof e.error === 'string' && e.error ? ` (${e.error})` : '';
      parts.push(`  ${text(e.time)}  ${text(e.service)}: ${text(e.msg ?? e.message)}${cause}`);
    }
  }
  if (s.collectErrors.length) {
    parts.push('', 'Not read this time:', ...s.collectErrors.map((e) => `  ${e}`));
  }
  return parts.join('\n');
}

/** The update service's state when this POP is too old to upgrade itself. */
const MANUAL_UPGRADE = 'manual-upgrade-required';

/**
 * What the operator must do when the update service refuses to upgrade this POP: the running
 * and offered versions, the oldest that upgrades itself, and the way by hand (the new package's
 * infra.sh). Undefined when no manual upgrade is needed.
 */
function manualUpgradeOf(s: PopStatus) {
  if (s.updateState !== MANUAL_UPGRADE) return undefined;
  const running = s.updateRunning ?? s.version ?? null;
  const offered = s.available ?? null;
  const minimum = s.minAutoUpgradeVersion ?? null;
  const text =
    `Manual upgrade required: this POP runs ${running ?? 'an unknown version'}` +
    `${offered ? ` and release ${offered} is offered` : ''}` +
    `${minimum ? `, which upgrades itself only from ${minimum} on` : ''}. ` +
    'Upgrade this POP by hand: install the new package (PoPDeployment.tar) with its infra.sh.';
  return { running, offered, minAutoUpgradeVersion: minimum, text };
}

/** `version`: the running version of each service, and the available one when known. */
export function renderVersion(s: PopStatus): string {
  const withAvailable = s.available !== undefined || s.services.some((x) => x.available);
  const cols = [
    { header: 'SERVICE' },
    { header: 'RUNNING' },
    ...(withAvailable ? [{ header: 'AVAILABLE' }] : []),
  ];
  const rows = s.services.map((x) => [
    x.name,
    text(x.version),
    ...(withAvailable ? [text(x.available ?? s.available)] : []),
  ]);
  const lines = [
    s.services.length ? formatTable(cols, rows) : 'No service has reported a version.',
  ];
  if (s.version) lines.unshift(`POP release: ${s.version}`, '');
  if (!withAvailable) lines.push('', 'Available version: not published by the update service.');
  if (s.updateState) {
    lines.push(
      '',
      `Update service: ${s.updateState}${s.updateMessage ? ` (${s.updateMessage})` : ''}`,
    );
  }
  const manual = manualUpgradeOf(s);
  if (manual) lines.push('', manual.text);
  return lines.join('\n');
}

export function versionJson(s: PopStatus) {
  return {
    hostname: s.hostname ?? null,
    release: s.version ?? null,
    available: s.available ?? null,
    updateState: s.updateState ?? null,
    updateMessage: s.updateMessage ?? null,
    manualUpgrade: manualUpgradeOf(s) ?? null,
    services: s.services.map((x) => ({
      name: x.name,
      running: x.version ?? null,
      available: x.available ?? s.available ?? null,
    })),
  };
}

/** `tunnels`: one line per tunnel. */
export function renderTunnels(s: PopStatus, now: Date): string {
  if (s.tunnels.length === 0) return 'No tunnel reported.';
  return formatTable(
    [
      { header: 'TUNNEL' },
      { header: 'GATEWAY' },
      { header: 'REMOTE' },
      { header: 'PHASE' },
      { header: 'SINCE' },
      { header: 'ADDRESS' },
      { header: 'RECONNECTS', align: 'right' },
      { header: 'IN', align: 'right' },
      { header: 'OUT', align: 'right' },
      { header: 'LAST ERROR' },
    ],
    s.tunnels.map((t) => [
      text(t.name),
      text(t.gateway),
      text(t.remote),
      text(t.phase),
      formatAge(t.since, now),
      text(t.localAddress),
      text(t.reconnects),
      formatBytes(t.bytesIn),
      formatBytes(t.bytesOut),
      text(t.lastError),
    ]),
  );
}

/** `apps`: one line per app, then one indented line per server that is not up. */
export function renderApps(s: PopStatus, now: Date): string {
  if (s.apps.length === 0) return 'No app in the catalog.';
  const rows: string[][] = [];
  for (const a of s.apps) {
    const servers = Array.isArray(a.servers) ? a.servers : [];
    const up = servers.filter((x) => x?.up === true).length;
    const where = a.host
      ? `${a.host.includes(':') ? `[${a.host}]` : a.host}${a.port ? `:${a.port}` : ''}`
      : '-';
    rows.push([
      text(a.name ?? a.appId),
      where,
      text(a.status),
      `${up}/${servers.length}`,
      formatAge(a.since, now),
    ]);
    for (const srv of servers) {
      if (srv?.up === true) continue;
      rows.push([
        `  ${text(srv?.server)}`,
        '',
        'down',
        '',
        formatAge(srv?.checkedAt, now),
        text(srv?.error),
      ]);
    }
  }
  return formatTable(
    [
      { header: 'APP' },
      { header: 'ADDRESS' },
      { header: 'STATUS' },
      { header: 'SERVERS UP' },
      { header: 'SINCE' },
      { header: 'ERROR' },
    ],
    rows,
  );
}

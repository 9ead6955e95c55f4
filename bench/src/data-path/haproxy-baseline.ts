import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, run, type TrackedProcess } from '@pa-connector/test-support';
import { waitListening } from './listening';
import { spawnInNetns } from './netns-process';

export interface HaproxyBaselineOptions {
  /** Namespace of the connector: haproxy takes its place there. */
  netns: string;
  /** The connector's tunnel address, and a port of haproxy's own on it. */
  bindAddress: string;
  bindPort: number;
  /** The app server it forwards to. */
  server: { host: string; port: number };
  /** Where the configuration file goes. */
  dir: string;
}

/**
 * Debian's haproxy as the baseline: a plain TCP frontend on the tunnel address forwarding to the
 * app server, Debian's defaults otherwise (threads: one per CPU), timeouts as long as the
 * connector's so no figure is cut short.
 */
function haproxyConfig(o: Omit<HaproxyBaselineOptions, 'netns' | 'dir'>): string {
  const v6 = (h: string) => (h.includes(':') ? `[${h}]` : h);
  return [
    'global',
    '  log stderr format short local0 warning',
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 300s',
    '  timeout server 300s',
    '',
    'frontend bench',
    `  bind ${v6(o.bindAddress)}:${o.bindPort}`,
    '  default_backend app',
    '',
    'backend app',
    `  server app1 ${v6(o.server.host)}:${o.server.port}`,
    '',
  ].join('\n');
}

/** Checks the configuration, starts haproxy in the foreground in the namespace, waits for it. */
export async function startHaproxy(o: HaproxyBaselineOptions): Promise<TrackedProcess> {
  const haproxy = requireBinary('haproxy', 'haproxy');
  const file = join(o.dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(o), { mode: 0o600 });
  await run(haproxy, ['-c', '-q', '-f', file]);
  const p = spawnInNetns(o.netns, haproxy, ['-db', '-f', file]);
  await waitListening(o.netns, o.bindAddress, o.bindPort, 'haproxy');
  return p;
}

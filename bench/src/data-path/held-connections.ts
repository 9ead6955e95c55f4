import { run } from '@pa-connector/test-support';
import { nodeInNetns } from './netns-process';
import { round } from './percentiles';
import { openFiles, openFilesLimit, statusKb } from './process-memory';

export interface HeldConnectionsOptions {
  /** Where the client runs (the gateway namespace) and its arguments for the proxy path. */
  netns: string;
  clientArgs: string[];
  /** The connector process whose memory is read. */
  connectorPid: number;
  /** Connections to hold (10 000). */
  want: number;
}

export interface HeldConnectionsFigures {
  held: number;
  rss_idle_mb: number;
  rss_held_mb: number;
  /** RSS for `want` connections: measured, or scaled from `held` when the limit stopped short. */
  rss_want_mb: number;
  per_connection_kib: number;
  open_files_limit: number;
  basis: string;
}

/** Open files the connector needs besides the proxied connections (sockets, logs, tunnels). */
const SPARE_FILES = 100;

/**
 * The connector's RSS (VmRSS) idle and with `want` proxied connections open at once, each
 * carrying one byte to the app and back. A proxied connection takes two open files in the
 * connector; the connector's open-files limit is first raised to its hard limit (`prlimit`
 * needs no privilege for that), and when even that is too low for `want`, as many as fit are
 * held and the figure is scaled linearly from them (said in `basis`).
 */
export async function heldConnections(o: HeldConnectionsOptions): Promise<HeldConnectionsFigures> {
  const pid = o.connectorPid;
  const before = openFilesLimit(pid);
  if (before.soft < before.hard) {
    await run('prlimit', ['--pid', String(pid), `--nofile=${before.hard}:${before.hard}`]);
  }
  const limit = openFilesLimit(pid).soft;
  const fit = Math.floor((limit - openFiles(pid) - SPARE_FILES) / 2);
  const held = Math.min(o.want, fit);
  if (held < 1) throw new Error(`the connector's open-files limit ${limit} leaves no room`);
  const idleKb = statusKb(pid, 'VmRSS');
  const client = nodeInNetns(o.netns, 'load-client', [
    '--mode',
    'hold',
    '--count',
    String(held),
    '--concurrency',
    '200',
    ...o.clientArgs,
  ]);
  try {
    await client.waitForLine(/"event":"holding"/, 300_000);
    // Let the connector settle (buffers allocated by the last connections, timers armed).
    await new Promise((r) => setTimeout(r, 2_000));
    const heldKb = statusKb(pid, 'VmRSS');
    const perConnectionKb = (heldKb - idleKb) / held;
    const wantKb = held === o.want ? heldKb : idleKb + perConnectionKb * o.want;
    return {
      held,
      rss_idle_mb: round(idleKb / 1024, 1),
      rss_held_mb: round(heldKb / 1024, 1),
      rss_want_mb: round(wantKb / 1024, 1),
      per_connection_kib: round(perConnectionKb, 2),
      open_files_limit: limit,
      basis:
        held === o.want
          ? `measured with ${held} connections`
          : `scaled from ${held} connections (open-files hard limit ${before.hard} fits no more)`,
    };
  } finally {
    await client.stop();
  }
}

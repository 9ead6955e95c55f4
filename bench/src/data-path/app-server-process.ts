import type { TrackedProcess } from '@pa-connector/test-support';
import { nodeInNetns } from './netns-process';

export interface AppServerProcess {
  process: TrackedProcess;
  host: string;
  port: number;
}

/** Starts app-server.js inside `netns` on `host` (port 0: any) and waits until it listens. */
export async function startAppServer(
  netns: string,
  host: string,
  port = 0,
): Promise<AppServerProcess> {
  const p = nodeInNetns(netns, 'app-server', ['--host', host, '--port', String(port)]);
  const line = await p.waitForLine(/"event":"listening"/, 15_000);
  return { process: p, host, port: (JSON.parse(line) as { port: number }).port };
}

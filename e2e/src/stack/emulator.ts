import { join } from 'node:path';
import { type LoggedProcess, startLogged } from './logged-process';

export interface StackEmulator {
  /** `https://<root bridge address>:<port>`: the SSE API as the connector reaches it. */
  sseUrl: string;
  /** `http://127.0.0.1:<port>`. */
  adminUrl: string;
  /** `http://127.0.0.1:<port>`: where users connect. */
  ingressUrl: string;
  ingressPort: number;
  caCertPath: string;
  dataDir: string;
  process: LoggedProcess;
}

export interface EmulatorStart {
  root: string;
  runDir: string;
  sseHost: string;
  /** `--region` value. */
  region: string;
  healthStale: string;
  /** More `serve` options. */
  extraArgs?: readonly string[];
}

/** The built emulator CLI in the root namespace with its gateways and the user ingress. */
export async function startStackEmulator(o: EmulatorStart): Promise<StackEmulator> {
  const dataDir = join(o.runDir, 'emulator');
  const proc = startLogged(o.runDir, 'emulator', process.execPath, [
    join(o.root, 'packages/sse-emulator/dist/cli.js'),
    'serve',
    ...['--data-dir', dataDir],
    ...['--host', o.sseHost, '--port', '0', '--tls-name', o.sseHost],
    ...['--admin-host', '127.0.0.1', '--admin-port', '0'],
    '--gateways',
    ...['--region', o.region],
    ...['--ingress-host', '127.0.0.1', '--ingress-port', '0'],
    ...['--health-stale', o.healthStale],
    ...(o.extraArgs ?? []),
  ]);
  const line = await proc.waitForLine(/"event":"listening"/, 60_000);
  const v = JSON.parse(line) as {
    sseUrl: string;
    adminUrl: string;
    ingressUrl?: string;
    caCertPath: string;
  };
  if (!v.ingressUrl) throw new Error(`the emulator runs no user ingress: ${line}`);
  return {
    sseUrl: v.sseUrl,
    adminUrl: v.adminUrl.replace(/\/$/, ''),
    ingressUrl: v.ingressUrl,
    ingressPort: Number(new URL(v.ingressUrl).port),
    caCertPath: v.caCertPath,
    dataDir,
    process: proc,
  };
}

/** A call to the emulator's admin API; a non-2xx answer is an error naming the call. */
export async function adminCall<T>(
  adminUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${adminUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`emulator ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

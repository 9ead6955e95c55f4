import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runCommand } from './command';
import type { VmDockerd } from './vm-dockerd';

/** The label the update service puts on a trial container (a new image tried beside the old). */
const TRIAL_LABEL = 'net.pa-connector.trial';
const SERVICE_LABEL = 'com.docker.compose.service';

/** One container of a POP installed on a test VM, as that VM's engine shows it. */
export interface PopContainer {
  id: string;
  service: string;
  /** The reference it was created from (`repo@digest` once the update service replaced it). */
  image: string;
  status: string;
  health: string | undefined;
  startedAt: string;
  trial: boolean;
}

interface InspectJson {
  Id: string;
  Config: { Image: string; Labels: Record<string, string> };
  State: { Status: string; StartedAt: string; Health?: { Status: string } };
}

/** Every container of the POP on the VM's engine (trials and containers set aside included). */
export async function popContainers(vm: VmDockerd): Promise<PopContainer[]> {
  const ids = await vm.docker(['ps', '-aq', '--filter', `label=${SERVICE_LABEL}`]);
  if (ids.code !== 0) throw new Error(`docker ps on the VM exited ${ids.code}: ${ids.stderr}`);
  const list = ids.stdout.split('\n').filter(Boolean);
  if (list.length === 0) return [];
  // A container may go between the listing and the inspect (an update removing a trial or the
  // container it set aside): docker inspect then prints the others and exits 1 for that one.
  const r = await vm.docker(['inspect', ...list], { timeoutMs: 60_000 });
  const gone = r.stderr
    .split('\n')
    .filter(Boolean)
    .every((l) => /No such object/i.test(l));
  if (r.code !== 0 && !gone) throw new Error(`docker inspect exited ${r.code}: ${r.stderr.trim()}`);
  return (JSON.parse(r.stdout || '[]') as InspectJson[]).map((c) => ({
    id: c.Id,
    service: c.Config.Labels[SERVICE_LABEL] ?? '?',
    image: c.Config.Image,
    status: c.State.Status,
    health: c.State.Health?.Status,
    startedAt: c.State.StartedAt,
    trial: c.Config.Labels[TRIAL_LABEL] === 'true',
  }));
}

/** The running container of a service (not a trial), or undefined. */
export async function popService(
  vm: VmDockerd,
  service: string,
): Promise<PopContainer | undefined> {
  return (await popContainers(vm)).find(
    (c) => c.service === service && !c.trial && c.status === 'running',
  );
}

/**
 * A request from inside a service's container with Node's fetch (a body is sent as JSON): what
 * `curl` from the VM's shell would show, without publishing any port.
 */
export async function fetchInsidePop(
  vm: VmDockerd,
  service: string,
  url: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: string }> {
  const c = await popService(vm, service);
  if (!c) throw new Error(`no running ${service} container on the VM`);
  const script =
    'const [url, method, body] = process.argv.slice(1); fetch(url, { method, ...(body ? { body, headers: { "content-type": "application/json" } } : {}) }).then(async (r) => { process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })); }, (e) => { process.stderr.write(String(e)); process.exit(1); })';
  const args = ['exec', c.id, 'node', '-e', script, url, init.method ?? 'GET'];
  if (init.body !== undefined) args.push(JSON.stringify(init.body));
  const r = await vm.docker(args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`fetch ${url} in ${service} failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as { status: number; body: string };
}

/** One container event of the VM's engine (`docker events`). */
export interface ContainerEvent {
  /** Milliseconds since the epoch, from the engine's own timestamp. */
  at: number;
  id: string;
  /** create, start, kill, die, stop, rename, destroy, `health_status: healthy`, ... */
  action: string;
  trial: boolean;
}

/** `docker events` of one service's containers on a VM's engine, collected until stopped. */
export interface ContainerEventWatch {
  readonly events: readonly ContainerEvent[];
  readonly pid: number;
  stop(): Promise<void>;
}

interface EventJson {
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  timeNano: number;
}

/**
 * Follows the engine's events for the containers of `service` (the exec events of health checks
 * left out): the exact moments an update stopped the old container and found the new one
 * healthy, which a container removed afterwards no longer shows in `docker inspect`. Resolves
 * once the stream is open.
 */
export async function watchServiceEvents(
  vm: VmDockerd,
  service: string,
): Promise<ContainerEventWatch> {
  const child: ChildProcess = spawn(
    'docker',
    [
      ...['events', '--format', '{{json .}}', '--filter', 'type=container'],
      ...['--filter', `label=${SERVICE_LABEL}=${service}`],
    ],
    { env: vm.env(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid === undefined) throw new Error('could not start docker events');
  const events: ContainerEvent[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      const e = JSON.parse(line) as EventJson;
      if (e.Action.startsWith('exec_')) return;
      events.push({
        at: Math.floor(e.timeNano / 1e6),
        id: e.Actor.ID,
        action: e.Action,
        trial: e.Actor.Attributes[TRIAL_LABEL] === 'true',
      });
    } catch {
      // Not an event line: the stream only ever prints JSON, so nothing to keep.
    }
  });
  // `docker events` prints nothing until an event comes: the engine answering a ping after the
  // spawn is as close to "subscribed" as the client lets one know.
  await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], {
    env: vm.env(),
    timeoutMs: 20_000,
  });
  return {
    events,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * When a service's container was out of service during its replacement: from the first stop
 * (kill, stop or die) of the container `oldId` to the first `healthy` of another, non-trial
 * container of the service after it. Undefined ends when the events never showed them.
 */
export function replacementInterval(
  events: readonly ContainerEvent[],
  oldId: string,
): { stoppedAt: number | undefined; healthyAt: number | undefined; newId: string | undefined } {
  const stop = events.find((e) => e.id === oldId && ['kill', 'stop', 'die'].includes(e.action));
  const healthy = stop
    ? events.find(
        (e) =>
          e.id !== oldId &&
          !e.trial &&
          e.at >= stop.at &&
          /^health_status: healthy$/.test(e.action),
      )
    : undefined;
  return { stoppedAt: stop?.at, healthyAt: healthy?.at, newId: healthy?.id };
}

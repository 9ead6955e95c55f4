import { waitFor } from '@pa-connector/test-support';
import { type CommandResult, mustRun, runCommand } from './command';

export interface ContainerState {
  id: string;
  service: string;
  status: string;
  /** healthy / unhealthy / starting, or undefined without a health check. */
  health: string | undefined;
  exitCode: number;
  restartCount: number;
  /** When it was last started (docker's State.StartedAt). */
  startedAt: string;
  /** A new image's trial run, started by the update service beside the service's container. */
  trial: boolean;
}

/** The label the update service puts on a trial container. */
const TRIAL_LABEL = 'net.pa-connector.trial';

interface InspectJson {
  Id: string;
  RestartCount: number;
  Config: { Labels: Record<string, string> };
  State: { Status: string; ExitCode: number; StartedAt: string; Health?: { Status: string } };
}

/**
 * One compose project under a unique name. The compose command is docker-compose (v1.29) unless
 * PA_E2E_COMPOSE says otherwise (e.g. "docker compose" for Compose v2).
 */
export class ComposeProject {
  private readonly command: string[];

  constructor(
    readonly name: string,
    readonly file: string,
    readonly env: Record<string, string>,
    readonly profiles: readonly string[] = [],
  ) {
    this.command = (process.env.PA_E2E_COMPOSE ?? 'docker-compose').split(' ').filter(Boolean);
  }

  private args(args: readonly string[]): string[] {
    const profiles = this.profiles.flatMap((p) => ['--profile', p]);
    return [...this.command.slice(1), '-p', this.name, '-f', this.file, ...profiles, ...args];
  }

  run(args: readonly string[], timeoutMs = 300_000): Promise<CommandResult> {
    return mustRun(this.command[0] as string, this.args(args), {
      env: { ...process.env, ...this.env },
      timeoutMs,
    });
  }

  up(timeoutMs = 300_000): Promise<CommandResult> {
    return this.run(['up', '-d'], timeoutMs);
  }

  /** Removes the containers, networks and volumes of the project. */
  down(timeoutMs = 120_000): Promise<CommandResult> {
    return this.run(['down', '-v', '--remove-orphans', '--timeout', '20'], timeoutMs);
  }

  async logs(): Promise<string> {
    const r = await this.run(['logs', '--no-color'], 60_000);
    return r.stdout + r.stderr;
  }

  async containers(): Promise<ContainerState[]> {
    const ids = await mustRun('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=com.docker.compose.project=${this.name}`,
    ]);
    const list = ids.stdout.split('\n').filter(Boolean);
    if (list.length === 0) return [];
    // A container may go between the listing and the inspect (an update removing a trial or a
    // container set aside): docker inspect then prints the others and exits 1 for that one.
    const inspected = await runCommand('docker', ['inspect', ...list], { timeoutMs: 60_000 });
    const gone = inspected.stderr
      .split('\n')
      .filter(Boolean)
      .every((l) => /No such object/i.test(l));
    if (inspected.code !== 0 && !gone) {
      throw new Error(`docker inspect exited ${inspected.code}: ${inspected.stderr.trim()}`);
    }
    return (JSON.parse(inspected.stdout || '[]') as InspectJson[]).map((c) => ({
      id: c.Id,
      service: c.Config.Labels['com.docker.compose.service'] ?? '?',
      status: c.State.Status,
      health: c.State.Health?.Status,
      exitCode: c.State.ExitCode,
      restartCount: c.RestartCount,
      startedAt: c.State.StartedAt,
      trial: c.Config.Labels[TRIAL_LABEL] === 'true',
    }));
  }

  async container(service: string): Promise<ContainerState> {
    // A service may have a stopped container beside the running one (set aside by an update),
    // or a trial of a new image: neither is the service.
    const all = (await this.containers()).filter((x) => x.service === service && !x.trial);
    const c = all.find((x) => x.status === 'running') ?? all[0];
    if (!c) throw new Error(`no container of service ${service} in project ${this.name}`);
    return c;
  }

  /** Runs a command in the service's container (docker exec, as the image's user). */
  async exec(service: string, args: readonly string[], user?: string): Promise<CommandResult> {
    const c = await this.container(service);
    return runCommand('docker', ['exec', ...(user ? ['-u', user] : []), c.id, ...args], {
      timeoutMs: 60_000,
    });
  }

  /**
   * A request from inside a container with Node's fetch (GET unless a method is given; a body is
   * sent as JSON): status and body.
   */
  async fetchInside(
    service: string,
    url: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: string }> {
    const script =
      'const [url, method, body] = process.argv.slice(1); fetch(url, { method, ...(body ? { body, headers: { "content-type": "application/json" } } : {}) }).then(async (r) => { process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })); }, (e) => { process.stderr.write(String(e)); process.exit(1); })';
    const args = ['node', '-e', script, url, init.method ?? 'GET'];
    if (init.body !== undefined) args.push(JSON.stringify(init.body));
    const r = await this.exec(service, args);
    if (r.code !== 0) throw new Error(`fetch ${url} in ${service} failed: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as { status: number; body: string };
  }

  /**
   * Waits until every one of `services` is healthy and every one-shot service of `oneShots` has
   * exited 0. On timeout the error carries each container's state and the end of the logs.
   */
  async waitHealthy(
    services: readonly string[],
    timeoutMs: number,
    oneShots: readonly string[] = [],
  ): Promise<void> {
    let last: ContainerState[] = [];
    try {
      await waitFor(
        `${services.join(', ')} healthy`,
        async () => {
          last = await this.containers();
          const healthy = services.every(
            (s) => last.find((c) => c.service === s && !c.trial)?.health === 'healthy',
          );
          const done = oneShots.every((s) => {
            const c = last.find((x) => x.service === s);
            return c?.status === 'exited' && c.exitCode === 0;
          });
          return healthy && done;
        },
        timeoutMs,
        1_000,
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n${summary(last)}\n${(await this.logs()).slice(-6000)}`,
      );
    }
  }
}

/** One line: each container's service, status, health and exit code. */
export function summary(cs: readonly ContainerState[]): string {
  return cs.map((c) => `${c.service}=${c.status}/${c.health ?? '-'}/exit ${c.exitCode}`).join(' ');
}

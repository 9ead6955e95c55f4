import { type CommandResult, mustRun, runCommand } from './command';

export interface ContainerState {
  id: string;
  service: string;
  status: string;
  /** healthy / unhealthy / starting, or undefined without a health check. */
  health: string | undefined;
  exitCode: number;
  restartCount: number;
}

interface InspectJson {
  Id: string;
  RestartCount: number;
  Config: { Labels: Record<string, string> };
  State: { Status: string; ExitCode: number; Health?: { Status: string } };
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
    const inspected = await mustRun('docker', ['inspect', ...list]);
    return (JSON.parse(inspected.stdout) as InspectJson[]).map((c) => ({
      id: c.Id,
      service: c.Config.Labels['com.docker.compose.service'] ?? '?',
      status: c.State.Status,
      health: c.State.Health?.Status,
      exitCode: c.State.ExitCode,
      restartCount: c.RestartCount,
    }));
  }

  async container(service: string): Promise<ContainerState> {
    const c = (await this.containers()).find((x) => x.service === service);
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

  /** GET of a URL from inside a container with Node's fetch: status and body. */
  async fetchInside(service: string, url: string): Promise<{ status: number; body: string }> {
    const script =
      'fetch(process.argv[1]).then(async (r) => { process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })); }, (e) => { process.stderr.write(String(e)); process.exit(1); })';
    const r = await this.exec(service, ['node', '-e', script, url]);
    if (r.code !== 0) throw new Error(`fetch ${url} in ${service} failed: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as { status: number; body: string };
  }
}

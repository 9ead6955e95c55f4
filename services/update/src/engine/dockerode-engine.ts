// First: keeps dockerode's unused transports from loading (see unused-transports.ts).
import './unused-transports';
import Dockerode from 'dockerode';
import type { ContainerHealth, DockerEngine, ServiceContainer } from './docker-engine';

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;

/** The engine's own message (`{"message": ...}`) rather than dockerode's "(HTTP code 404) ...". */
function reason(err: unknown): string {
  const json = (err as { json?: { message?: unknown } }).json;
  if (json && typeof json.message === 'string') return json.message;
  return (err as Error).message;
}

/** Turns a dockerode rejection into an Error carrying the engine's message and HTTP status. */
async function engineCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw Object.assign(new Error(`${what}: ${reason(err)}`, { cause: err }), {
      statusCode: statusOf(err),
    });
  }
}

/** Docker's multiplexed log stream (8-byte frame headers) to text. */
function demux(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0) {
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return i === 0 ? buf.toString('utf8') : Buffer.concat(out).toString('utf8');
}

/** DockerEngine over the Engine API socket (dockerode). */
export class DockerodeEngine implements DockerEngine {
  readonly #docker: Dockerode;

  constructor(socketPath: string) {
    this.#docker = new Dockerode({ socketPath });
  }

  /** The engine's version: proves the socket answers (the trial run's check). */
  async version(): Promise<string> {
    const v = await engineCall('asking the Docker engine its version', () =>
      this.#docker.version(),
    );
    return v.Version;
  }

  async listContainers(project: string): Promise<ServiceContainer[]> {
    const list = await engineCall('listing containers', () =>
      this.#docker.listContainers({
        all: true,
        filters: { label: [`${COMPOSE_PROJECT}=${project}`] },
      }),
    );
    return list.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      service: c.Labels[COMPOSE_SERVICE] ?? '',
      imageRef: c.Image,
      imageId: c.ImageID,
      state: c.State,
    }));
  }

  async imageDigests(ref: string): Promise<string[] | undefined> {
    try {
      const info = await this.#docker.getImage(ref).inspect();
      return info.RepoDigests ?? [];
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new Error(`inspecting image ${ref}: ${reason(err)}`, { cause: err });
    }
  }

  async pull(ref: string): Promise<void> {
    const stream = await engineCall(`pulling ${ref}`, () => this.#docker.pull(ref));
    await new Promise<void>((resolve, reject) => {
      this.#docker.modem.followProgress(stream, (err: Error | null) =>
        err ? reject(new Error(`pulling ${ref}: ${reason(err)}`, { cause: err })) : resolve(),
      );
    });
  }

  inspectContainer(id: string): Promise<Dockerode.ContainerInspectInfo> {
    return engineCall(`inspecting container ${id}`, () => this.#docker.getContainer(id).inspect());
  }

  inspectImage(ref: string): Promise<Dockerode.ImageInspectInfo> {
    return engineCall(`inspecting image ${ref}`, () => this.#docker.getImage(ref).inspect());
  }

  async create(name: string, options: Dockerode.ContainerCreateOptions): Promise<string> {
    const c = await engineCall(`creating container ${name}`, () =>
      this.#docker.createContainer({ ...options, name }),
    );
    return c.id;
  }

  async connect(
    networkName: string,
    containerId: string,
    endpoint: Dockerode.EndpointSettings,
  ): Promise<void> {
    await engineCall(`connecting ${containerId} to network ${networkName}`, () =>
      this.#docker
        .getNetwork(networkName)
        .connect({ Container: containerId, EndpointConfig: endpoint }),
    );
  }

  async start(id: string): Promise<void> {
    try {
      await this.#docker.getContainer(id).start();
    } catch (err) {
      if (statusOf(err) === 304) return; // already running
      throw new Error(`starting container ${id}: ${reason(err)}`, { cause: err });
    }
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.#docker.getContainer(id).stop({ t: timeoutSeconds });
    } catch (err) {
      if (statusOf(err) === 304) return; // already stopped
      throw new Error(`stopping container ${id}: ${reason(err)}`, { cause: err });
    }
  }

  async rename(id: string, name: string): Promise<void> {
    await engineCall(`renaming container ${id} to ${name}`, () =>
      this.#docker.getContainer(id).rename({ name }),
    );
  }

  async remove(id: string): Promise<void> {
    try {
      await this.#docker.getContainer(id).remove({ force: true });
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw new Error(`removing container ${id}: ${reason(err)}`, { cause: err });
    }
  }

  async health(id: string): Promise<ContainerHealth> {
    const info = await this.inspectContainer(id);
    const s = info.State;
    // The restart policy brings a crashing container back: one restart is a failed start.
    if (s.Restarting || info.RestartCount > 0) {
      return {
        state: 'exited',
        detail: `exited with code ${s.ExitCode} and was restarted ${info.RestartCount} time(s)`,
      };
    }
    if (!s.Running) {
      return {
        state: 'exited',
        detail: `exited with code ${s.ExitCode}${s.Error ? `: ${s.Error}` : ''}`,
      };
    }
    const h = s.Health;
    if (!h || h.Status === 'none' || h.Status === '') return { state: 'running' };
    if (h.Status === 'healthy') return { state: 'healthy' };
    if (h.Status === 'unhealthy') {
      const last = h.Log?.[h.Log.length - 1];
      return {
        state: 'unhealthy',
        detail: `health check failed${last ? ` (exit ${last.ExitCode}): ${last.Output.trim().slice(0, 200)}` : ''}`,
      };
    }
    return { state: 'starting' };
  }

  async logTail(id: string, lines: number): Promise<string> {
    const buf = (await engineCall(`reading the logs of ${id}`, () =>
      this.#docker
        .getContainer(id)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false }),
    )) as unknown as Buffer;
    return demux(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
  }
}

import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type {
  ContainerHealth,
  DockerEngine,
  ServiceContainer,
} from '../../src/engine/docker-engine';

/** An image as the fake registry and the fake engine hold it. */
export interface FakeImage {
  id: string;
  repoDigests: string[];
  /**
   * How containers of it end up: healthy, unhealthy or exited; the `-unless-trial` ones pass a
   * trial run (PA_TRIAL_RUN=true) and fail only in the service's place.
   */
  behaviour?: 'healthy' | 'unhealthy' | 'exited' | 'unhealthy-unless-trial' | 'exits-unless-trial';
}

interface FakeContainer extends ServiceContainer {
  running: boolean;
  config: Dockerode.ContainerInspectInfo['Config'];
}

/**
 * The Docker engine in memory: containers, local images and a registry to pull from. Every call
 * that changes something is written to `calls`, so a test can say what was (not) touched.
 */
export class FakeEngine implements DockerEngine {
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Map<string, FakeImage>();
  readonly registry = new Map<string, FakeImage>();
  readonly calls: string[] = [];
  pullError: string | undefined;

  addContainer(project: string, service: string, imageRef: string, image: FakeImage): string {
    this.images.set(imageRef, image);
    this.images.set(image.id, image);
    const id = randomBytes(32).toString('hex');
    this.containers.set(id, {
      id,
      name: `${project}_${service}_1`,
      service,
      imageRef,
      imageId: image.id,
      state: 'running',
      running: true,
      config: {
        Image: imageRef,
        Env: ['PA_HTTP_PORT=8081'],
        Labels: {
          'com.docker.compose.project': project,
          'com.docker.compose.service': service,
        },
      } as unknown as Dockerode.ContainerInspectInfo['Config'],
    });
    return id;
  }

  byName(name: string): FakeContainer | undefined {
    return [...this.containers.values()].find((c) => c.name === name);
  }

  #find(idOrName: string): FakeContainer {
    const c = this.containers.get(idOrName) ?? this.byName(idOrName);
    if (!c) throw Object.assign(new Error(`no such container: ${idOrName}`), { statusCode: 404 });
    return c;
  }

  async listContainers(project: string): Promise<ServiceContainer[]> {
    return [...this.containers.values()]
      .filter((c) => c.config.Labels['com.docker.compose.project'] === project)
      .map(({ id, name, service, imageRef, imageId, running }) => ({
        id,
        name,
        service,
        imageRef,
        imageId,
        state: running ? 'running' : 'exited',
      }));
  }

  async imageDigests(ref: string): Promise<string[] | undefined> {
    return this.images.get(ref)?.repoDigests;
  }

  async pull(ref: string): Promise<void> {
    this.calls.push(`pull ${ref}`);
    if (this.pullError) throw new Error(`pulling ${ref}: ${this.pullError}`);
    const image = this.registry.get(ref);
    if (!image) throw new Error(`pulling ${ref}: manifest unknown`);
    this.images.set(ref, image);
    this.images.set(image.id, image);
    for (const d of image.repoDigests) this.images.set(d, image);
  }

  async inspectContainer(id: string): Promise<Dockerode.ContainerInspectInfo> {
    const c = this.#find(id);
    return {
      Id: c.id,
      Name: `/${c.name}`,
      Image: c.imageId,
      Config: c.config,
      HostConfig: { NetworkMode: `${c.config.Labels['com.docker.compose.project']}_internal` },
      NetworkSettings: { Networks: {} },
      State: { Running: c.running },
    } as unknown as Dockerode.ContainerInspectInfo;
  }

  async inspectImage(ref: string): Promise<Dockerode.ImageInspectInfo> {
    const image = this.images.get(ref);
    if (!image) throw new Error(`no such image: ${ref}`);
    return {
      Id: image.id,
      Config: { Env: [], Labels: {} },
    } as unknown as Dockerode.ImageInspectInfo;
  }

  async create(name: string, options: Dockerode.ContainerCreateOptions): Promise<string> {
    this.calls.push(`create ${name} ${options.Image}`);
    if (this.byName(name)) throw new Error(`creating container ${name}: name in use`);
    const image = this.images.get(options.Image as string);
    if (!image) throw new Error(`creating container ${name}: no such image ${options.Image}`);
    const labels = (options.Labels ?? {}) as Record<string, string>;
    const id = randomBytes(32).toString('hex');
    this.containers.set(id, {
      id,
      name,
      service: labels['com.docker.compose.service'] ?? '',
      imageRef: options.Image as string,
      imageId: image.id,
      state: 'created',
      running: false,
      config: { ...options, Labels: labels } as unknown as Dockerode.ContainerInspectInfo['Config'],
    });
    return id;
  }

  async connect(): Promise<void> {}

  /** How a container of this image behaves: a trial run passes the `-unless-trial` ones. */
  #behaviour(c: FakeContainer): 'healthy' | 'unhealthy' | 'exited' {
    const b = this.images.get(c.imageId)?.behaviour ?? 'healthy';
    const trial = (c.config.Env ?? []).includes('PA_TRIAL_RUN=true');
    if (b === 'unhealthy-unless-trial') return trial ? 'healthy' : 'unhealthy';
    if (b === 'exits-unless-trial') return trial ? 'healthy' : 'exited';
    return b;
  }

  async start(id: string): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`start ${c.name}`);
    c.running = this.#behaviour(c) !== 'exited';
  }

  async stop(id: string): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`stop ${c.name}`);
    c.running = false;
  }

  async rename(id: string, name: string): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`rename ${c.name} ${name}`);
    if (this.byName(name)) throw new Error(`renaming: name ${name} in use`);
    c.name = name;
  }

  async remove(id: string): Promise<void> {
    const c = this.containers.get(id) ?? this.byName(id);
    if (!c) return;
    this.calls.push(`remove ${c.name}`);
    this.containers.delete(c.id);
  }

  async health(id: string): Promise<ContainerHealth> {
    const c = this.#find(id);
    if (!c.running) return { state: 'exited', detail: 'exited with code 1' };
    if (this.#behaviour(c) === 'unhealthy')
      return { state: 'unhealthy', detail: 'health check failed' };
    return { state: 'healthy' };
  }

  async logTail(): Promise<string> {
    return 'boom: cannot start\n';
  }
}

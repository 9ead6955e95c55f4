import type Dockerode from 'dockerode';

/** A POP service's container as the update service sees it. */
export interface ServiceContainer {
  id: string;
  /** Without the leading slash. */
  name: string;
  /** The compose service (label `com.docker.compose.service`). */
  service: string;
  /** The reference it was created from (`Config.Image`), e.g. `pa-connector/logging:1.0.0`. */
  imageRef: string;
  /** The image it runs (`sha256:...`). */
  imageId: string;
  /** `running`, `exited`, ... */
  state: string;
}

/** How a container stands after a start: what the health gate waits for. */
export type ContainerHealth =
  | { state: 'healthy' }
  /** Running and no health check defined: running is all there is to know. */
  | { state: 'running' }
  | { state: 'starting' }
  | { state: 'unhealthy'; detail: string }
  | { state: 'exited'; detail: string };

/**
 * The few Docker Engine calls the update service makes. The real one talks to dockerd through
 * dockerode; unit tests give a fake.
 */
export interface DockerEngine {
  /** Containers (running or not) labelled with this compose project. */
  listContainers(project: string): Promise<ServiceContainer[]>;
  /** The repo digests (`repo@sha256:...`) of a local image, or undefined when it is not here. */
  imageDigests(ref: string): Promise<string[] | undefined>;
  /** Pulls `ref` (a `repo@sha256:` or `repo:tag` reference); rejects with the engine's reason. */
  pull(ref: string): Promise<void>;
  inspectContainer(id: string): Promise<Dockerode.ContainerInspectInfo>;
  inspectImage(ref: string): Promise<Dockerode.ImageInspectInfo>;
  create(name: string, options: Dockerode.ContainerCreateOptions): Promise<string>;
  connect(
    networkName: string,
    containerId: string,
    endpoint: Dockerode.EndpointSettings,
  ): Promise<void>;
  start(id: string): Promise<void>;
  /** Stops with SIGTERM, then SIGKILL after `timeoutSeconds`; a stopped container is fine. */
  stop(id: string, timeoutSeconds: number): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  health(id: string): Promise<ContainerHealth>;
  /** The last lines of a container's output, for the report of a failed start. */
  logTail(id: string, lines: number): Promise<string>;
}

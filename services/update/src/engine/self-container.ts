import type { DockerEngine } from './docker-engine';

const COMPOSE_PROJECT = 'com.docker.compose.project';

export interface SelfContainer {
  id: string;
  project: string | undefined;
}

/**
 * This process's own container, found by the hostname Docker gives a container (its short id).
 * Undefined outside a container (or when the hostname was set to something else). Asked once.
 */
export function selfContainer(
  engine: Pick<DockerEngine, 'inspectContainer'>,
  hostname: string,
): () => Promise<SelfContainer | undefined> {
  let found: Promise<SelfContainer | undefined> | undefined;
  return () => {
    found ??= engine.inspectContainer(hostname).then(
      (c) => ({ id: c.Id, project: c.Config.Labels?.[COMPOSE_PROJECT] }),
      () => undefined,
    );
    return found;
  };
}

import type { Logger } from '@pa-connector/logger';
import type { Clock } from '@pa-connector/service-runtime';
import type Dockerode from 'dockerode';
import { type RecreateSpec, recreateSpec } from '../engine/container-spec';
import type { ContainerHealth, DockerEngine, ServiceContainer } from '../engine/docker-engine';

/** The name a container waits under while its replacement proves itself. */
export const ASIDE_SUFFIX = '-pa-previous';

export interface ReplaceOptions {
  engine: DockerEngine;
  clock: Clock;
  logger: Logger;
  /** How long the new container has to become healthy. */
  healthTimeoutMs: number;
  /** Without a health check: how long it must keep running to count as started. */
  runningGraceMs: number;
  /** SIGTERM, then SIGKILL after this many seconds. */
  stopTimeoutSeconds: number;
  pollMs: number;
}

export type ReplaceResult =
  | { ok: true; containerId: string }
  | {
      ok: false;
      /** One line: why the new container was not kept. */
      reason: string;
      /** The last lines the new container printed, when it got that far. */
      output?: string;
      /** False when even the old container could not be brought back (say so loudly). */
      restored: boolean;
      restoreError?: string;
    };

const sleep = (clock: Clock, ms: number) =>
  new Promise<void>((resolve) => clock.setTimer(resolve, ms));

/**
 * Creates `name` as the same container as `old` on `imageRef` (joining every network `old` was
 * on; `adapt` may change that spec) and starts it; resolves to its id. The name must be free.
 */
export async function startReplacement(
  engine: DockerEngine,
  old: Dockerode.ContainerInspectInfo,
  oldImage: Dockerode.ImageInspectInfo,
  name: string,
  imageRef: string,
  created: (id: string) => void = () => undefined,
  adapt: (spec: RecreateSpec) => RecreateSpec = (spec) => spec,
): Promise<string> {
  const spec = adapt(recreateSpec(old, oldImage, imageRef));
  const id = await engine.create(name, spec.options);
  created(id);
  for (const n of spec.extraNetworks) await engine.connect(n.name, id, n.endpoint);
  await engine.start(id);
  return id;
}

/**
 * Waits until the container is healthy (or, without a health check, has kept running for the
 * grace period). Resolves to undefined on success, else to the reason.
 */
export async function healthGate(o: ReplaceOptions, id: string): Promise<string | undefined> {
  const started = o.clock.now();
  let last: ContainerHealth = { state: 'starting' };
  while (o.clock.now() - started < o.healthTimeoutMs) {
    last = await o.engine.health(id);
    if (last.state === 'healthy') return undefined;
    if (last.state === 'running' && o.clock.now() - started >= o.runningGraceMs) return undefined;
    if (last.state === 'unhealthy' || last.state === 'exited') return last.detail;
    await sleep(o.clock, o.pollMs);
  }
  return `not healthy within ${Math.round(o.healthTimeoutMs / 1000)} s (last seen ${last.state})`;
}

/**
 * Replaces a service's container with the same container on `imageRef`: the old one is stopped
 * and set aside under `<name>-pa-previous`, the new one created under the old name with the same
 * configuration and started, then health-gated. Healthy: the old one is removed. Not healthy:
 * the new one is removed and the old one renamed back and started again. Two copies of a service
 * never run at once (the connector's identity and tunnels, Redis consumers).
 */
export async function replaceContainer(
  o: ReplaceOptions,
  container: ServiceContainer,
  imageRef: string,
): Promise<ReplaceResult> {
  const { engine } = o;
  const old = await engine.inspectContainer(container.id);
  const oldImage = await engine.inspectImage(old.Image);
  const name = old.Name.replace(/^\//, '');
  const aside = `${name}${ASIDE_SUFFIX}`;
  const wasRunning = old.State.Running;

  await engine.stop(old.Id, o.stopTimeoutSeconds);
  await engine.rename(old.Id, aside);

  let newId: string | undefined;
  let reason: string | undefined;
  let output: string | undefined;
  try {
    const id = await startReplacement(engine, old, oldImage, name, imageRef, (created) => {
      newId = created;
    });
    reason = await healthGate(o, id);
  } catch (err) {
    reason = (err as Error).message;
  }
  if (reason === undefined && newId) {
    await engine
      .remove(old.Id)
      .catch((err: Error) =>
        o.logger.warn(
          { container: aside, reason: err.message },
          'could not remove the previous container',
        ),
      );
    return { ok: true, containerId: newId };
  }

  // Roll back: the new container goes, the old one comes back under its own name.
  if (newId) {
    output = await engine.logTail(newId, 20).catch(() => undefined);
    await engine.remove(newId).catch(() => undefined);
  } else {
    await engine.remove(name).catch(() => undefined);
  }
  try {
    await engine.rename(old.Id, name);
    if (wasRunning) await engine.start(old.Id);
    return { ok: false, reason: reason ?? 'failed', restored: true, ...(output ? { output } : {}) };
  } catch (err) {
    return {
      ok: false,
      reason: reason ?? 'failed',
      restored: false,
      restoreError: (err as Error).message,
      ...(output ? { output } : {}),
    };
  }
}

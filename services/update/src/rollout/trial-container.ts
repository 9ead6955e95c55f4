import type Dockerode from 'dockerode';
import type { RecreateSpec } from '../engine/container-spec';
import type { ServiceContainer } from '../engine/docker-engine';
import { healthGate, type ReplaceOptions, startReplacement } from './replace-container';

/** The name a new image's trial container runs under, beside the service's container. */
export const TRIAL_SUFFIX = '-pa-trial';
/** Marks a trial container, for an operator reading `docker ps`. */
export const TRIAL_LABEL = 'net.pa-connector.trial';

export type TrialResult =
  | { ok: true }
  | {
      ok: false;
      /** One line: why the image failed its trial. */
      reason: string;
      /** The last lines the trial container printed. */
      output?: string;
    };

/**
 * The service's container as a trial of another image: the same configuration plus
 * PA_TRIAL_RUN=true (the service checks its configuration and dependencies and does no work),
 * and nothing that belongs to the running container: no published ports, no network aliases (the
 * service's name keeps resolving to the running container only), no fixed address, no restart
 * policy.
 */
export function trialSpec(spec: RecreateSpec): RecreateSpec {
  const o = spec.options;
  // The service's name and fixed addresses stay the running container's.
  const unaddressed = (e: Dockerode.EndpointSettings): Dockerode.EndpointSettings => {
    const { Aliases: _aliases, IPAMConfig: _ipam, MacAddress: _mac, ...rest } = e;
    return rest;
  };
  const { MacAddress: _mac, ...config } = o as typeof o & { MacAddress?: string };
  const endpoints = o.NetworkingConfig?.EndpointsConfig ?? {};
  return {
    options: {
      ...config,
      Env: [...(o.Env ?? []).filter((e) => !e.startsWith('PA_TRIAL_RUN=')), 'PA_TRIAL_RUN=true'],
      Labels: { ...(o.Labels ?? {}), [TRIAL_LABEL]: 'true' },
      HostConfig: {
        ...o.HostConfig,
        PortBindings: {},
        PublishAllPorts: false,
        RestartPolicy: { Name: 'no' },
      },
      ...(o.NetworkingConfig
        ? {
            NetworkingConfig: {
              EndpointsConfig: Object.fromEntries(
                Object.entries(endpoints).map(([n, e]) => [n, unaddressed(e)]),
              ),
            },
          }
        : {}),
    },
    extraNetworks: spec.extraNetworks.map((n) => ({
      name: n.name,
      endpoint: unaddressed(n.endpoint),
    })),
  };
}

/**
 * Starts `imageRef` as a trial of the service beside its running container, which is not
 * touched, and waits for the trial to be healthy (the image's health check on /ready). The trial
 * container is removed afterwards either way, and first if an interrupted check left one behind.
 */
export async function runTrial(
  o: ReplaceOptions,
  container: ServiceContainer,
  imageRef: string,
): Promise<TrialResult> {
  const { engine } = o;
  const old = await engine.inspectContainer(container.id);
  const oldImage = await engine.inspectImage(old.Image);
  const name = `${old.Name.replace(/^\//, '')}${TRIAL_SUFFIX}`;
  await engine.remove(name);
  let id: string | undefined;
  try {
    const started = await startReplacement(
      engine,
      old,
      oldImage,
      name,
      imageRef,
      (created) => {
        id = created;
      },
      trialSpec,
    );
    const reason = await healthGate(o, started);
    if (reason === undefined) return { ok: true };
    const output = await engine.logTail(started, 20).catch(() => undefined);
    return { ok: false, reason, ...(output ? { output } : {}) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  } finally {
    await engine
      .remove(id ?? name)
      .catch((err: Error) =>
        o.logger.warn(
          { container: name, reason: err.message },
          'could not remove the trial container',
        ),
      );
  }
}

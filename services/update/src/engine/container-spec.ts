import { isDeepStrictEqual } from 'node:util';
import type Dockerode from 'dockerode';

/** How to create a container again from another image, and the networks to join after create. */
export interface RecreateSpec {
  options: Dockerode.ContainerCreateOptions;
  /** Networks beyond the first (the Engine API joins one at create time). */
  extraNetworks: Array<{ name: string; endpoint: Dockerode.EndpointSettings }>;
}

type Config = Dockerode.ContainerInspectInfo['Config'];

/** Config fields that come from the image unless the container set them itself. */
const IMAGE_DEFAULTS = [
  'Cmd',
  'Entrypoint',
  'WorkingDir',
  'User',
  'Healthcheck',
  'Volumes',
  'ExposedPorts',
  'StopSignal',
  'Shell',
  'OnBuild',
] as const;

function endpointOf(
  e: Dockerode.NetworkInfo & { Aliases?: string[] | null; DriverOpts?: unknown },
  oldShortId: string,
) {
  const endpoint: Dockerode.EndpointSettings = {};
  const aliases = (e.Aliases ?? []).filter((a: string) => a !== oldShortId);
  if (aliases.length > 0) endpoint.Aliases = aliases;
  if (e.IPAMConfig) endpoint.IPAMConfig = e.IPAMConfig;
  if (e.Links && e.Links.length > 0) endpoint.Links = e.Links;
  if (e.DriverOpts) endpoint.DriverOpts = e.DriverOpts as Record<string, string>;
  return endpoint;
}

/**
 * The same container on another image: everything the container was given (environment,
 * labels, mounts, capabilities, devices, restart policy, networks and aliases) is kept; what the
 * old image only supplied as a default (its env, labels, command, health check, ...) is left to
 * the new image, so a release may change them.
 */
export function recreateSpec(
  old: Dockerode.ContainerInspectInfo,
  oldImage: Dockerode.ImageInspectInfo,
  newImageRef: string,
): RecreateSpec {
  const oldShortId = old.Id.slice(0, 12);
  const imageConfig = (oldImage.Config ?? {}) as Partial<Config>;
  const config: Record<string, unknown> = { ...old.Config, Image: newImageRef };

  const imageEnv = new Set(imageConfig.Env ?? []);
  config.Env = (old.Config.Env ?? []).filter((e) => !imageEnv.has(e));
  const imageLabels = imageConfig.Labels ?? {};
  config.Labels = Object.fromEntries(
    Object.entries(old.Config.Labels ?? {}).filter(([k, v]) => imageLabels[k] !== v),
  );
  for (const field of IMAGE_DEFAULTS) {
    if (isDeepStrictEqual(config[field], (imageConfig as Record<string, unknown>)[field])) {
      delete config[field];
    }
  }
  // Docker's default hostname is the container's short id: the new one gets its own.
  if (config.Hostname === oldShortId) delete config.Hostname;

  const networks = Object.entries(old.NetworkSettings.Networks ?? {});
  const mode = old.HostConfig.NetworkMode;
  const first = networks.find(([name]) => name === mode) ?? networks[0];
  const options: Dockerode.ContainerCreateOptions = {
    ...(config as Dockerode.ContainerCreateOptions),
    HostConfig: old.HostConfig as Dockerode.HostConfig,
  };
  if (first) {
    options.NetworkingConfig = {
      EndpointsConfig: { [first[0]]: endpointOf(first[1], oldShortId) },
    };
  }
  return {
    options,
    extraNetworks: networks
      .filter(([name]) => name !== first?.[0])
      .map(([name, e]) => ({ name, endpoint: endpointOf(e, oldShortId) })),
  };
}

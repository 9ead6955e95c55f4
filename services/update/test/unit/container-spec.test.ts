import type Dockerode from 'dockerode';
import { recreateSpec } from '../../src/engine/container-spec';
import { TRIAL_LABEL, trialSpec } from '../../src/rollout/trial-container';

const ID = 'f3c2a9d81b7e4c55a0d6e1f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6';
const SHORT = ID.slice(0, 12);
const NEW_REF = `registry:5000/pa/logging@sha256:${'c3'.repeat(32)}`;
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SECOND = 1_000_000_000;

/** The image the container was created from: what `docker image inspect` gives for it. */
function oldImage(healthcheck?: Record<string, unknown>): Dockerode.ImageInspectInfo {
  return {
    Id: `sha256:${'d4'.repeat(32)}`,
    RepoTags: ['registry:5000/pa/logging:1.0.0'],
    RepoDigests: [`registry:5000/pa/logging@sha256:${'e5'.repeat(32)}`],
    Parent: '',
    Comment: 'buildkit.dockerfile.v0',
    Created: '2030-01-01T00:00:00.000000000Z',
    Container: '',
    DockerVersion: '',
    Author: '',
    Architecture: 'amd64',
    Os: 'linux',
    Size: 187_000_000,
    VirtualSize: 187_000_000,
    Config: {
      Hostname: '',
      Domainname: '',
      User: 'node',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: { '8081/tcp': {} },
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: [
        PATH,
        'NODE_VERSION=20.20.2',
        'YARN_VERSION=1.22.22',
        'NODE_ENV=production',
        'PA_LOG_LEVEL=info',
      ],
      Cmd: ['node', 'dist/main.js'],
      Healthcheck: healthcheck ?? {
        Test: ['CMD', 'node', 'dist/healthcheck.js'],
        Interval: 30 * SECOND,
        Timeout: 5 * SECOND,
        Retries: 3,
      },
      ArgsEscaped: true,
      Image: '',
      Volumes: { '/var/lib/pa': {} },
      WorkingDir: '/app',
      Entrypoint: ['docker-entrypoint.sh'],
      OnBuild: null,
      Labels: {
        'org.opencontainers.image.source': 'https://example.org/pa-connector',
        'org.opencontainers.image.version': '1.0.0',
      },
    },
    RootFS: { Type: 'layers', Layers: [] },
    GraphDriver: { Name: 'overlay2', Data: {} },
  } as unknown as Dockerode.ImageInspectInfo;
}

/** A container docker-compose 1.29 created from that image (`docker inspect pa_logging_1`). */
function composeContainer(
  config: Record<string, unknown> = {},
  networks?: Record<string, unknown>,
): Dockerode.ContainerInspectInfo {
  const endpoint = (ip: string, aliases: string[] | null, ipam: unknown = null) => ({
    IPAMConfig: ipam,
    Links: null,
    Aliases: aliases,
    NetworkID: 'a7'.repeat(32),
    EndpointID: 'b8'.repeat(32),
    Gateway: ip.replace(/\.\d+$/, '.1'),
    IPAddress: ip,
    IPPrefixLen: 16,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: '02:42:ac:14:00:05',
    DriverOpts: null,
  });
  return {
    Id: ID,
    Created: '2030-01-02T00:00:00.000000000Z',
    Path: 'docker-entrypoint.sh',
    Args: ['node', 'dist/main.js'],
    State: { Status: 'running', Running: true, Pid: 4242, ExitCode: 0 },
    Image: `sha256:${'d4'.repeat(32)}`,
    Name: '/pa_logging_1',
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: 'docker-default',
    HostConfig: {
      Binds: ['/srv/pa/logging:/var/lib/pa:rw', '/var/run/docker.sock:/var/run/docker.sock:ro'],
      ContainerIDFile: '',
      LogConfig: { Type: 'json-file', Config: { 'max-file': '3', 'max-size': '10m' } },
      NetworkMode: 'pa_default',
      PortBindings: { '8081/tcp': [{ HostIp: '127.0.0.1', HostPort: '8081' }] },
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      AutoRemove: false,
      VolumeDriver: '',
      VolumesFrom: [],
      CapAdd: ['NET_ADMIN'],
      CapDrop: null,
      Dns: [],
      DnsOptions: [],
      DnsSearch: [],
      ExtraHosts: ['sse.internal:10.0.0.5'],
      IpcMode: 'private',
      Privileged: false,
      ReadonlyRootfs: false,
      SecurityOpt: null,
      Tmpfs: { '/tmp': 'rw,noexec,nosuid,size=64m' },
      ShmSize: 67_108_864,
      Runtime: 'runc',
      Memory: 268_435_456,
      Devices: [
        { PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' },
      ],
      Sysctls: { 'net.ipv4.ip_forward': '1' },
      Init: true,
    },
    Mounts: [],
    Config: {
      Hostname: SHORT,
      Domainname: '',
      User: 'node',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: { '8081/tcp': {} },
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      // The engine merges the image's env with compose's `environment:` (compose wins).
      Env: [
        'PA_REDIS_URL=redis://redis:6379/0',
        'PA_LOG_LEVEL=debug',
        'PA_POP_ID=pop-7',
        PATH,
        'NODE_VERSION=20.20.2',
        'YARN_VERSION=1.22.22',
        'NODE_ENV=production',
      ],
      Cmd: ['node', 'dist/main.js'],
      Healthcheck: {
        Test: ['CMD', 'node', 'dist/healthcheck.js'],
        Interval: 10 * SECOND,
        Timeout: 3 * SECOND,
        Retries: 5,
      },
      Image: 'registry:5000/pa/logging:1.0.0',
      Volumes: { '/var/lib/pa': {} },
      WorkingDir: '/app',
      Entrypoint: ['docker-entrypoint.sh'],
      OnBuild: null,
      Labels: {
        'com.docker.compose.config-hash': '9f'.repeat(32),
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
        'com.docker.compose.project': 'pa',
        'com.docker.compose.project.config_files': '/opt/pa/compose.yaml',
        'com.docker.compose.project.working_dir': '/opt/pa',
        'com.docker.compose.service': 'logging',
        'com.docker.compose.version': '1.29.2',
        'org.opencontainers.image.source': 'https://example.org/pa-connector',
        'org.opencontainers.image.version': '1.0.0',
        'pa.role': 'pop',
      },
      ...config,
    },
    // The engine lists networks by name, so the network_mode one is not necessarily first.
    NetworkSettings: {
      Bridge: '',
      SandboxID: 'c9'.repeat(32),
      Ports: { '8081/tcp': [{ HostIp: '127.0.0.1', HostPort: '8081' }] },
      Networks: networks ?? {
        pa_backend: endpoint('10.77.0.10', ['logging', 'log-sink', SHORT], {
          IPv4Address: '10.77.0.10',
        }),
        pa_default: endpoint('172.20.0.5', ['logging', SHORT]),
      },
    },
  } as unknown as Dockerode.ContainerInspectInfo;
}

describe('recreateSpec', () => {
  it('keeps what compose set and leaves the image defaults to the new image', () => {
    const old = composeContainer();
    const spec = recreateSpec(old, oldImage(), NEW_REF);
    const { HostConfig, NetworkingConfig, ...config } = spec.options;
    // Strict: the image's Cmd, Entrypoint, User, ... must be absent, not present as undefined.
    expect(config).toStrictEqual({
      Domainname: '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Image: NEW_REF,
      Env: ['PA_REDIS_URL=redis://redis:6379/0', 'PA_LOG_LEVEL=debug', 'PA_POP_ID=pop-7'],
      // Compose's healthcheck: differs from the image's, so it is the container's own.
      Healthcheck: {
        Test: ['CMD', 'node', 'dist/healthcheck.js'],
        Interval: 10 * SECOND,
        Timeout: 3 * SECOND,
        Retries: 5,
      },
      Labels: {
        'com.docker.compose.config-hash': '9f'.repeat(32),
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
        'com.docker.compose.project': 'pa',
        'com.docker.compose.project.config_files': '/opt/pa/compose.yaml',
        'com.docker.compose.project.working_dir': '/opt/pa',
        'com.docker.compose.service': 'logging',
        'com.docker.compose.version': '1.29.2',
        'pa.role': 'pop',
      },
    });
    expect(HostConfig).toEqual(old.HostConfig);
    expect(NetworkingConfig).toEqual({
      EndpointsConfig: { pa_default: { Aliases: ['logging'] } },
    });
    expect(spec.extraNetworks).toEqual([
      {
        name: 'pa_backend',
        endpoint: { Aliases: ['logging', 'log-sink'], IPAMConfig: { IPv4Address: '10.77.0.10' } },
      },
    ]);
  });

  it('drops a health check that only the old image defined', () => {
    const image = oldImage();
    const old = composeContainer({ Healthcheck: image.Config.Healthcheck });
    const spec = recreateSpec(old, image, NEW_REF);
    expect(spec.options).not.toHaveProperty('Healthcheck');
  });

  it('keeps a command, entrypoint, user and workdir that compose overrode', () => {
    const old = composeContainer({
      Cmd: ['node', 'dist/main.js', '--verbose'],
      Entrypoint: ['/sbin/tini', '--'],
      User: '1000:1000',
      WorkingDir: '/srv',
      ExposedPorts: { '8081/tcp': {}, '9464/tcp': {} },
      StopSignal: 'SIGINT',
    });
    const o = recreateSpec(old, oldImage(), NEW_REF).options;
    expect(o.Cmd).toEqual(['node', 'dist/main.js', '--verbose']);
    expect(o.Entrypoint).toEqual(['/sbin/tini', '--']);
    expect(o.User).toBe('1000:1000');
    expect(o.WorkingDir).toBe('/srv');
    expect(o.ExposedPorts).toEqual({ '8081/tcp': {}, '9464/tcp': {} });
    expect(o.StopSignal).toBe('SIGINT');
    expect(o).not.toHaveProperty('Volumes');
  });

  it('keeps an env value or label that overrides the image', () => {
    const old = composeContainer({
      Env: ['NODE_ENV=development', PATH, 'NODE_VERSION=20.20.2'],
      Labels: { 'org.opencontainers.image.version': '0.9.9-dev' },
    });
    const o = recreateSpec(old, oldImage(), NEW_REF).options;
    expect(o.Env).toEqual(['NODE_ENV=development']);
    expect(o.Labels).toEqual({ 'org.opencontainers.image.version': '0.9.9-dev' });
  });

  it('keeps a hostname compose set, drops the short id hostname', () => {
    expect(recreateSpec(composeContainer(), oldImage(), NEW_REF).options).not.toHaveProperty(
      'Hostname',
    );
    const o = recreateSpec(composeContainer({ Hostname: 'logging' }), oldImage(), NEW_REF).options;
    expect(o.Hostname).toBe('logging');
  });

  it('works from an image without a config', () => {
    const image = { ...oldImage(), Config: undefined } as unknown as Dockerode.ImageInspectInfo;
    const old = composeContainer();
    const o = recreateSpec(old, image, NEW_REF).options;
    expect(o.Env).toEqual(old.Config.Env);
    expect(o.Labels).toEqual(old.Config.Labels);
    expect(o.Cmd).toEqual(['node', 'dist/main.js']);
  });

  it('joins the first listed network at create when network_mode names none of them', () => {
    const networks = {
      bridge: { IPAMConfig: null, Links: ['/redis:/pa_logging_1/redis'], Aliases: null },
      pa_default: { IPAMConfig: null, Links: null, Aliases: [SHORT] },
    };
    const old = composeContainer({}, networks);
    (old.HostConfig as { NetworkMode?: string }).NetworkMode = 'default';
    const spec = recreateSpec(old, oldImage(), NEW_REF);
    expect(spec.options.NetworkingConfig).toEqual({
      EndpointsConfig: { bridge: { Links: ['/redis:/pa_logging_1/redis'] } },
    });
    // Only the short id as alias: nothing left to ask for.
    expect(spec.extraNetworks).toEqual([{ name: 'pa_default', endpoint: {} }]);
  });

  it('has no networking config for a container without networks', () => {
    const spec = recreateSpec(composeContainer({}, {}), oldImage(), NEW_REF);
    expect(spec.options).not.toHaveProperty('NetworkingConfig');
    expect(spec.extraNetworks).toEqual([]);
  });

  it('does not change the inspect answers it reads', () => {
    const old = composeContainer();
    const image = oldImage();
    const before = structuredClone({ old, image });
    const spec = recreateSpec(old, image, NEW_REF);
    spec.options.Env?.push('X=1');
    spec.extraNetworks[0]?.endpoint.Aliases?.push('x');
    expect({ old, image }).toEqual(before);
  });
});

describe('trialSpec', () => {
  it('is the same container with PA_TRIAL_RUN=true and nothing of the running one: ports, aliases, fixed address, restart', () => {
    const spec = recreateSpec(composeContainer(), oldImage(), NEW_REF);
    const trial = trialSpec(spec);
    expect(trial.options.Env).toEqual([...(spec.options.Env ?? []), 'PA_TRIAL_RUN=true']);
    expect(trial.options.Labels).toEqual({ ...spec.options.Labels, [TRIAL_LABEL]: 'true' });
    expect(trial.options.HostConfig).toEqual({
      ...spec.options.HostConfig,
      PortBindings: {},
      PublishAllPorts: false,
      RestartPolicy: { Name: 'no' },
    });
    // The rest of the configuration is the running container's: mounts, capabilities, network.
    expect(trial.options.HostConfig?.Binds).toEqual(spec.options.HostConfig?.Binds);
    expect(trial.options.Image).toBe(NEW_REF);
    const endpoints = Object.values(trial.options.NetworkingConfig?.EndpointsConfig ?? {});
    expect(endpoints).toHaveLength(1);
    for (const e of [...endpoints, ...trial.extraNetworks.map((n) => n.endpoint)]) {
      expect(e.Aliases).toBeUndefined();
      expect(e.IPAMConfig).toBeUndefined();
    }
    expect(trial.extraNetworks.map((n) => n.name)).toEqual(spec.extraNetworks.map((n) => n.name));
  });

  it('sets PA_TRIAL_RUN once, whatever the container had', () => {
    const spec = recreateSpec(
      composeContainer({ Env: ['PA_TRIAL_RUN=false', 'PA_LOG_LEVEL=debug'] }),
      oldImage(),
      NEW_REF,
    );
    expect(trialSpec(spec).options.Env).toEqual(['PA_LOG_LEVEL=debug', 'PA_TRIAL_RUN=true']);
  });

  it('leaves the spec it was given as it was', () => {
    const spec = recreateSpec(composeContainer(), oldImage(), NEW_REF);
    const copy = structuredClone(spec);
    trialSpec(spec);
    expect(spec).toEqual(copy);
  });
});

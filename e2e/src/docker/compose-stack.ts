import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { ROOT, seconds, VERSION } from './build-figures';
import { mustRun } from './command';
import { ComposeProject, summary } from './compose-project';
import { type Dockerd, ensureDockerd } from './dockerd';
import { buildPopImages } from './pop-images';

export { printFigures, ROOT, seconds, VERSION } from './build-figures';

/** The long-running services of compose.yaml with the demo profile. */
const STACK_SERVICES = [
  'redis',
  'connector',
  'logging',
  'update',
  'pop-manager',
  'emulator',
  'demo-app',
];

export interface ComposeStack {
  dockerd: Dockerd;
  project: ComposeProject;
  /** Holds `secrets/` and `config/` of the stack. */
  dir: string;
  /** How long each step took, for the test's printout. */
  figures: Record<string, string>;
  /**
   * compose down -v (nothing may be left), then `afterDown` (e.g. removing the test's images,
   * while dockerd still runs), the directory removed, dockerd stopped if started.
   */
  stop(afterDown?: () => Promise<void>): Promise<void>;
}

/**
 * The real thing on this host: dockerd (started when not running), the base image and the
 * service images (cached by input hash), secrets from init-secrets.sh, and compose.yaml with the
 * demo profile up under a unique project name until every service is healthy.
 */
export async function startComposeStack(o: {
  run: string;
  hostname: string;
  env?: Record<string, string>;
}): Promise<ComposeStack> {
  requireRoot('dockerd, debootstrap and the tun device');
  requireBinary('dockerd', 'docker.io');
  requireBinary('docker', 'docker.io');
  requireBinary('docker-compose', 'docker-compose');
  requireBinary('debootstrap', 'debootstrap');
  const figures: Record<string, string> = {};

  let t = Date.now();
  const dockerd = await ensureDockerd();
  figures.dockerd = dockerd.started ? `started in ${seconds(Date.now() - t)}` : 'already running';
  let dir: string | undefined;
  let project: ComposeProject | undefined;
  const stop = async (afterDown?: () => Promise<void>) => {
    try {
      if (project) {
        const t = Date.now();
        await project.down();
        figures['down -v'] = seconds(Date.now() - t);
        const left = await project.containers();
        if (left.length > 0) throw new Error(`containers left behind: ${summary(left)}`);
      }
    } finally {
      await afterDown?.();
      if (dir) rmSync(dir, { recursive: true, force: true });
      await dockerd.stop();
    }
  };
  try {
    await buildPopImages(figures);

    dir = mkdtempSync(join(tmpdir(), 'pa-compose-'));
    const env = {
      PA_SECRETS_DIR: join(dir, 'secrets'),
      PA_CONFIG_DIR: join(dir, 'config'),
      PA_VERSION: VERSION,
      PA_HOSTNAME: o.hostname,
      PA_HEALTHCHECK_INTERVAL: '2s',
      PA_DOCKER_GID: String(statSync('/var/run/docker.sock').gid),
      ...o.env,
    };
    await mustRun('bash', [join(ROOT, 'docker/init-secrets.sh')], {
      env: { ...process.env, ...env },
    });
    project = new ComposeProject(`pae2e${o.run}`, join(ROOT, 'compose.yaml'), env, ['demo']);

    t = Date.now();
    await project.up();
    figures['compose up -d'] = seconds(Date.now() - t);
    await project.waitHealthy(STACK_SERVICES, 240_000, ['demo-provision']);
    figures['up to all healthy'] = seconds(Date.now() - t);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { dockerd, project, dir, figures, stop };
}

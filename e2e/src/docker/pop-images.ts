import { join } from 'node:path';
import { ROOT, seconds, VERSION } from './build-figures';
import { mustRun } from './command';
import { ensureDockerd } from './dockerd';

const BASE_IMAGE = 'pa-base:bookworm';

/**
 * The POP's images on the running engine, tagged with the release version: the base image first
 * (debootstrap, cached), then each service image, reused when built from identical input. What
 * each step took goes into `figures`.
 */
export async function buildPopImages(figures: Record<string, string>): Promise<void> {
  let t = Date.now();
  const base = await mustRun('bash', [join(ROOT, 'docker/build-base-image.sh')], {
    timeoutMs: 300_000,
  });
  figures['base image'] = `${seconds(Date.now() - t)} (${base.stdout.trim().split('\n').pop()})`;
  t = Date.now();
  const images = await mustRun(
    'bash',
    [join(ROOT, 'docker/build-images.sh'), '--base-image', BASE_IMAGE, '--tag', VERSION],
    { timeoutMs: 600_000 },
  );
  const built = images.stdout.split('\n').filter((l) => / built | up to date/.test(l));
  figures.images = `${seconds(Date.now() - t)} (${built.length} images: ${
    built.filter((l) => l.includes(' built ')).length
  } built, the rest up to date)`;
}

/**
 * The deployment bundle (`PoPDeployment.tar`) as the vendor makes it, at `out`: the POP's images
 * built on this machine's Docker engine (started when not running, stopped again when started
 * here), then `docker/build-bundle.sh`. What each step took goes into `figures`.
 */
export async function buildPopBundle(out: string, figures: Record<string, string>): Promise<void> {
  let t = Date.now();
  const dockerd = await ensureDockerd();
  figures.dockerd = dockerd.started ? `started in ${seconds(Date.now() - t)}` : 'already running';
  try {
    await buildPopImages(figures);
    t = Date.now();
    await mustRun(
      'bash',
      [join(ROOT, 'docker/build-bundle.sh'), '--skip-build', '--tag', VERSION, '--out', out],
      { timeoutMs: 600_000 },
    );
    figures.bundle = seconds(Date.now() - t);
  } finally {
    await dockerd.stop();
  }
}

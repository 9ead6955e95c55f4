import { join } from 'node:path';
import { mustRun } from './command';
import { ROOT, seconds, VERSION } from './compose-stack';
import { ensureDockerd } from './dockerd';

const BASE_IMAGE = 'pa-base:bookworm';

/** The tag the POP's images are built under on this machine's engine: the release version. */
const POP_IMAGE_TAG = VERSION;

/**
 * The deployment bundle (`PoPDeployment.tar`) as the vendor makes it, at `out`: the POP's images
 * built on this machine's Docker engine (started when not running, stopped again when started
 * here), the base image first, each image reused when built from identical input, then
 * `docker/build-bundle.sh`. What each step took goes into `figures`.
 */
export async function buildPopBundle(out: string, figures: Record<string, string>): Promise<void> {
  let t = Date.now();
  const dockerd = await ensureDockerd();
  figures.dockerd = dockerd.started ? `started in ${seconds(Date.now() - t)}` : 'already running';
  try {
    t = Date.now();
    const base = await mustRun('bash', [join(ROOT, 'docker/build-base-image.sh')], {
      timeoutMs: 300_000,
    });
    figures['base image'] = `${seconds(Date.now() - t)} (${base.stdout.trim().split('\n').pop()})`;
    t = Date.now();
    const images = await mustRun(
      'bash',
      [join(ROOT, 'docker/build-images.sh'), '--base-image', BASE_IMAGE, '--tag', POP_IMAGE_TAG],
      { timeoutMs: 600_000 },
    );
    const built = images.stdout.split('\n').filter((l) => / built | up to date/.test(l));
    figures.images = `${seconds(Date.now() - t)} (${built.length} images: ${
      built.filter((l) => l.includes(' built ')).length
    } built, the rest up to date)`;
    t = Date.now();
    await mustRun(
      'bash',
      [join(ROOT, 'docker/build-bundle.sh'), '--skip-build', '--tag', POP_IMAGE_TAG, '--out', out],
      { timeoutMs: 600_000 },
    );
    figures.bundle = seconds(Date.now() - t);
  } finally {
    await dockerd.stop();
  }
}

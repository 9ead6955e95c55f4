import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

/** Names inside the package, as the operator documentation lists them. */
export const PACKAGE_FILE = 'PoPPackage.tar';
const INFRASTRUCTURE_TAR = 'Infrastructure.tar';
const DEPLOYMENT_TAR = 'PoPDeployment.tar';
const INFRA_SCRIPT = 'vCenter/infra.sh';
/** Making Infrastructure.tar is one small file: a tar that takes longer is stuck. */
const SMALL_TAR_TIMEOUT_MS = 30_000;
/** Normalized owners: the package does not carry this host's user ids. */
const OWNER_FLAGS = ['--owner=0', '--group=0', '--numeric-owner'];

/**
 * `PoPPackage.tar` as a stream: `Infrastructure.tar` (holding `vCenter/infra.sh`, the filled
 * script) and the deployment bundle as `PoPDeployment.tar`. The bundle is hundreds of MB, so it
 * is never read into memory: `tar` streams it (through a symlink named as the package names it)
 * from a temporary directory that is removed when `tar` exits, however the download ends.
 */
export async function packageStream(o: {
  bundlePath: string;
  infraScript: string;
  /** Where a removal that failed, or a tar that did not finish, is told. */
  logger: { warn(fields: object, message: string): void };
  tar?: string;
}): Promise<Readable> {
  const tar = o.tar ?? 'tar';
  const dir = await mkdtemp(join(tmpdir(), 'pa-package-'));
  const cleanup = () =>
    rm(dir, { recursive: true, force: true }).catch((err: unknown) =>
      o.logger.warn({ err, dir }, 'could not remove the package temp directory'),
    );
  try {
    await mkdir(join(dir, 'vCenter'), { mode: 0o755 });
    await writeFile(join(dir, INFRA_SCRIPT), o.infraScript, { mode: 0o755 });
    await chmod(join(dir, INFRA_SCRIPT), 0o755);
    await runTar(tar, ['-cf', INFRASTRUCTURE_TAR, ...OWNER_FLAGS, 'vCenter'], dir);
    await symlink(resolve(o.bundlePath), join(dir, DEPLOYMENT_TAR));
  } catch (err) {
    await cleanup();
    throw err;
  }

  // -h: the symlink stands for the bundle, so its content goes in under the package's name.
  const child = spawn(tar, ['-chf', '-', ...OWNER_FLAGS, INFRASTRUCTURE_TAR, DEPLOYMENT_TAR], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const out = child.stdout;
  child.on('error', (err) => out.destroy(err));
  child.on('close', (code, signal) => {
    void cleanup();
    if (code !== 0) {
      o.logger.warn({ code, signal, stderr: stderr.trim() }, 'package tar did not finish');
      // A cut answer, not a short but well-formed one.
      out.destroy(new Error(`tar exited with ${code ?? signal}: ${stderr.trim()}`));
    }
  });
  // The client went away mid-download: stop tar (it would block on a full pipe).
  out.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return out;
}

function runTar(tar: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(tar, args, {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: SMALL_TAR_TIMEOUT_MS,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`tar ${args.join(' ')} failed (${code ?? signal}): ${stderr.trim()}`));
    });
  });
}

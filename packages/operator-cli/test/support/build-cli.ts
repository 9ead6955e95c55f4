import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, requireBinary } from '@pa-connector/test-support';

/** Builds the package (under the shared build lock) and returns the path of dist/cli.js. */
export function buildCli(): string {
  const root = repoRoot();
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(
      requireBinary('flock', 'util-linux'),
      [
        join(root, 'node_modules', '.pa-build.lock'),
        process.execPath,
        tsc,
        '-b',
        'packages/operator-cli',
      ],
      { cwd: root, stdio: 'pipe' },
    );
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `tsc -b packages/operator-cli failed:\n${String(e.stdout ?? '')}${String(e.stderr ?? '')}`,
    );
  }
  const cli = join(root, 'packages', 'operator-cli', 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing after the build`);
  return cli;
}

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/** The absolute path of a binary, or an error saying what to install: a missing tool fails. */
export function requireBinary(name: string, debianPackage = name): string {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is required by this test (apt-get install -y ${debianPackage})`);
}

/** Throws unless the tests run as root (network namespaces, tun devices). */
export function requireRoot(why: string): void {
  if (process.getuid?.() !== 0) throw new Error(`this test must run as root: ${why}`);
}

const pexec = promisify(execFile);

/** Runs a short command (ip) and returns its stdout; the error names the command and stderr. */
export async function run(cmd: string, args: string[]): Promise<string> {
  try {
    return (await pexec(cmd, args, { timeout: 15_000 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

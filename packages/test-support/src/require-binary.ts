import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The absolute path of a binary, or an Error saying what to install. Tests call this in
 * beforeAll so a missing tool fails loudly instead of skipping.
 */
export function requireBinary(name: string, debianPackage = name): string {
  const dirs = (process.env.PATH ?? '')
    .split(delimiter)
    .concat(['/usr/sbin', '/sbin', '/usr/local/sbin']);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next directory
    }
  }
  throw new Error(
    `${name} is required by this test but not installed (apt-get install -y ${debianPackage})`,
  );
}

/** Throws unless the tests run as root (network namespaces, tun devices). */
export function requireRoot(why: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`this test must run as root: ${why}`);
  }
}

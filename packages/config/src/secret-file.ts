import { randomBytes } from 'node:crypto';
import { chmod, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files of `writeSecretFile` for `name`: `.<name>.<random hex>.tmp`, beside it. */
const tempPrefix = (name: string) => `.${name}.`;
const TEMP_SUFFIX = '.tmp';

/**
 * Atomically replaces `path` with `data`, readable by the owner only. The temp file is created
 * with mode 0600 (never briefly wider), fsynced, renamed over the target, and the directory is
 * fsynced so the rename survives a crash. A reader sees the old file or the new one, never a
 * missing or half-written one.
 */
export async function writeSecretFile(path: string, data: string | Buffer): Promise<void> {
  const dir = dirname(path);
  const tmp = join(
    dir,
    `${tempPrefix(basename(path))}${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
  );
  const handle = await open(tmp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

/**
 * Removes the temp files that writes of `path` interrupted by a crash left beside it: they may
 * hold the secret. `path` itself stays.
 */
export async function removeSecretLeftovers(path: string): Promise<void> {
  const prefix = tempPrefix(basename(path));
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX)) {
      await rm(join(dir, name), { force: true });
    }
  }
}

/** Clears permission bits beyond `mode`; true if the file was looser and had to be tightened. */
export async function tightenMode(path: string, mode = 0o600): Promise<boolean> {
  const current = (await stat(path)).mode & 0o777;
  if ((current & ~mode) === 0) return false;
  await chmod(path, current & mode);
  return true;
}

/** Flushes a directory's entries (a rename or a new file in it) to disk, so they survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

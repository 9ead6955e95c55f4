import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';

/** Creates `dir` (and parents) and makes it 0700 even if it existed looser. */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/**
 * Writes a file only its owner can read (0600), replacing any older one atomically: the text goes
 * to a new file beside it (created 0600, never readable by others), is flushed, then renamed over
 * the old one. A reader (openvpn starting) sees the old file or the new one, never a missing or
 * half-written one, whenever the connector stops.
 */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.new`;
  // A leftover from an interrupted write is ours to replace; 'wx' refuses anything planted.
  await rm(tmp, { force: true });
  const file = await open(tmp, 'wx', 0o600);
  try {
    await file.chmod(0o600);
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}

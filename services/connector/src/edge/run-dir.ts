import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';

/** Creates `dir` (and parents) and makes it 0700 even if it existed looser. */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Writes a file only its owner can read (0600), replacing any older one. */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, text, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
}

import { chmod, mkdir } from 'node:fs/promises';

/** Creates `dir` (and parents) and makes it 0700 even if it existed looser. */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

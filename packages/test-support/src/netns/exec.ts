import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const pexec = promisify(execFile);

/** Runs a short command (ip, sysctl) and returns stdout; the error names the command and stderr. */
export async function run(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await pexec(cmd, args, { timeout: 15_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

import { readFile, rm } from 'node:fs/promises';
import { type Clock, sleep } from '../clock';

const POLL_MS = 50;

/** The command line of `pid` as its arguments; undefined once it is gone (or a zombie). */
async function argsOf(pid: number): Promise<string[] | undefined> {
  const text = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return text ? text.split('\0') : undefined;
}

/** Whether `args` are those of a program started with `--config <configPath>`. */
function runs(args: string[] | undefined, configPath: string): boolean {
  const at = args?.indexOf('--config') ?? -1;
  return at > 0 && args?.[at + 1] === configPath;
}

/**
 * Ends an openvpn that a connector process which died without stopping (SIGKILL, the OOM killer)
 * left running: it keeps the tunnel's tun device, so a new openvpn fails ("TUNSETIFF: Device or
 * resource busy") until it lets go, and it then waits for a management client forever. Every
 * openvpn writes its PID to `pidFile` (`writepid`); the process named there is SIGKILLed only if it
 * still runs with this tunnel's `configPath` (a PID reused by another program is left alone), and
 * waited for up to `timeoutMs`. Resolves with the PID it ended, if any.
 */
export async function endLeftover(
  pidFile: string,
  configPath: string,
  clock: Clock,
  timeoutMs: number,
): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  await rm(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1 || !runs(await argsOf(pid), configPath)) return undefined;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return undefined;
  }
  const deadline = clock.now() + timeoutMs;
  while (runs(await argsOf(pid), configPath) && clock.now() < deadline) await sleep(clock, POLL_MS);
  return pid;
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stock kernel's socket buffer limit (net.core.rmem_max and wmem_max), below what the tunnels
 * ask for: infra.sh raises it on a VM that has it.
 */
const STOCK_SOCKET_BUFFER_MAX = 212_992;

const LIMITS = ['rmem_max', 'wmem_max'] as const;

/** The file of a socket buffer limit in the VM's own /proc/sys under `dir`. */
const limitFile = (dir: string, name: string) => join(dir, 'proc-sys', 'net', 'core', name);

/**
 * What infra.sh reads of a VM, written under `dir`: an Ubuntu 22.04 host (this machine is
 * Debian) with the site's DNS server and a stock kernel's socket buffer limits, in a /proc/sys of
 * its own (infra.sh writes the limits it raises there, never into this machine's kernel).
 */
export function writeVmHostFiles(dir: string, resolvConf: string): void {
  writeFileSync(
    join(dir, 'os-release'),
    'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\n',
  );
  writeFileSync(join(dir, 'resolv.conf'), resolvConf);
  mkdirSync(join(dir, 'proc-sys', 'net', 'core'), { recursive: true });
  for (const name of LIMITS) writeFileSync(limitFile(dir, name), `${STOCK_SOCKET_BUFFER_MAX}\n`);
}

/** infra.sh's environment for the VM of `writeVmHostFiles(dir)`: four CPUs (this machine has two), UTC. */
export function vmHostEnv(dir: string): Record<string, string> {
  return {
    PA_INFRA_OS_RELEASE: join(dir, 'os-release'),
    PA_INFRA_RESOLV_CONF: join(dir, 'resolv.conf'),
    PA_INFRA_PROC_SYS: join(dir, 'proc-sys'),
    PA_INFRA_CPUS: '4',
    PA_INFRA_TZ: 'Etc/UTC',
  };
}

/** The VM's socket buffer limits now, as infra.sh left them in its /proc/sys. */
export function vmSocketBufferLimits(dir: string): Record<string, number> {
  return Object.fromEntries(
    LIMITS.map((name) => [name, Number(readFileSync(limitFile(dir, name), 'utf8'))]),
  );
}

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The openvpn processes a connector runs, by tunnel name (`t1`, `t2`), read from /proc: the
 * children of `connectorPid` whose command line names `<tunnel>/openvpn.conf`.
 */
export function openvpnChildren(connectorPid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let children: string[];
  try {
    children = readFileSync(`/proc/${connectorPid}/task/${connectorPid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
  } catch {
    return out;
  }
  for (const pid of children) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const config = argv.find((a) => a.endsWith('/openvpn.conf'));
    const tunnel = config?.split('/').at(-2);
    if (tunnel) out[tunnel] = Number(pid);
  }
  return out;
}

/** Lowercase hex without leading zeros, so serials from different tools compare equal. */
export function normalSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+/, '');
}

/**
 * The serial of the client certificate in a tunnel's generated openvpn configuration
 * (`<runDir>/<tunnel>/openvpn.conf`, `<cert>` block); undefined when there is none.
 */
export function configCertificateSerial(runDir: string, tunnel: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(runDir, tunnel, 'openvpn.conf'), 'utf8');
  } catch {
    return undefined;
  }
  const pem = /<cert>\s*([\s\S]*?)<\/cert>/.exec(text)?.[1];
  if (!pem) return undefined;
  return normalSerial(new X509Certificate(pem).serialNumber);
}

/** Those of `pids` that still run openvpn (a PID taken by another program does not count). */
export function stillOpenvpn(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      return (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '').endsWith(
        'openvpn',
      );
    } catch {
      return false;
    }
  });
}

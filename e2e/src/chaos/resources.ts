import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { requireBinary } from '@pa-connector/test-support';
import type { Stack } from '../stack';

/** The connector's resources at one moment (undefined: could not be read). */
export interface Resources {
  rssKb?: number;
  fds?: number;
  /** openvpn processes among the connector's children. */
  openvpns?: number;
  redisUsedMemory?: number;
}

/** VmRSS of `pid` in kB (undefined: gone). */
export function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Open descriptors of `pid` (undefined: gone). */
export function fds(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

function openvpns(pid: number): number | undefined {
  let children: string[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  } catch {
    return undefined;
  }
  let n = 0;
  for (const c of children.filter(Boolean)) {
    try {
      const argv0 = readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (argv0.endsWith('openvpn')) n++;
    } catch {
      // exited meanwhile
    }
  }
  return n;
}

/** `INFO memory` used_memory, the password in the environment (never in argv). */
function redisUsedMemory(stack: Stack): Promise<number | undefined> {
  const cli = requireBinary('redis-cli', 'redis-tools');
  const password = readFileSync(stack.redis.passwordFile, 'utf8').trim();
  return new Promise((resolve) => {
    execFile(
      cli,
      ['-h', '127.0.0.1', '-p', String(stack.redis.port), '--no-auth-warning', 'INFO', 'memory'],
      { env: { REDISCLI_AUTH: password }, timeout: 5_000 },
      (err, stdout) => {
        const m = /^used_memory:(\d+)/m.exec(stdout ?? '');
        resolve(!err && m ? Number(m[1]) : undefined);
      },
    );
  });
}

export async function sampleResources(stack: Stack): Promise<Resources> {
  const pid = stack.connector.process.pid;
  const out: Resources = {};
  const r = rssKb(pid);
  const f = fds(pid);
  const o = openvpns(pid);
  const m = await redisUsedMemory(stack);
  if (r !== undefined) out.rssKb = r;
  if (f !== undefined) out.fds = f;
  if (o !== undefined) out.openvpns = o;
  if (m !== undefined) out.redisUsedMemory = m;
  return out;
}

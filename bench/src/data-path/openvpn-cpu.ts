import { readFileSync } from 'node:fs';
import { run } from '@pa-connector/test-support';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
let ticksPerSecond: number | undefined;

async function ticks(): Promise<number> {
  ticksPerSecond ??= Number((await run('getconf', ['CLK_TCK'])).trim()) || 100;
  return ticksPerSecond;
}

/** User plus system CPU seconds a process has used so far; 0 once it is gone. */
async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / (await ticks());
  } catch {
    return 0;
  }
}

/** The openvpn processes running in `netns`. */
export async function openvpnPids(netns: string): Promise<number[]> {
  const pids = (await run('ip', ['netns', 'pids', netns])).split('\n').filter(Boolean);
  return pids.map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'openvpn';
    } catch {
      return false;
    }
  });
}

/** CPU seconds the processes `pids` used together while `work` ran, and its value. */
export async function cpuDuring<T>(pids: number[], work: () => Promise<T>) {
  const sum = async () => (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
  const before = await sum();
  const value = await work();
  return { value, cpuSeconds: (await sum()) - before };
}

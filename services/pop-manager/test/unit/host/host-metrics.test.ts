import { HostMetricsSampler } from '../../../src/host/host-metrics';
import { type FsStats, type HostProbe, systemHostProbe } from '../../../src/host/host-probe';

function fakeProbe(
  files: Record<string, string>,
  fs?: FsStats,
): HostProbe & {
  files: Record<string, string>;
  statfsPaths: string[];
} {
  const statfsPaths: string[] = [];
  return {
    files,
    statfsPaths,
    readText: async (path) => {
      const t = files[path];
      if (t === undefined) throw new Error(`ENOENT: ${path}`);
      return t;
    },
    statfs: async (path) => {
      statfsPaths.push(path);
      if (!fs) throw new Error(`EACCES: ${path}`);
      return fs;
    },
    cpuCount: () => 2,
  };
}

const stat = (busy: number, idle: number) => `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\n`;

describe('HostMetricsSampler', () => {
  it('reports CPU % since the previous sample, memory, disk like df, load and uptime', async () => {
    let now = 0;
    const probe = fakeProbe(
      {
        '/proc/stat': stat(1000, 9000),
        '/proc/meminfo': 'MemTotal: 1000 kB\nMemAvailable: 250 kB\n',
        '/proc/loadavg': '1.5 1.0 0.5 1/100 42\n',
        '/proc/uptime': '90061.2 100.0\n',
      },
      { bsize: 4096, blocks: 1000, bfree: 300, bavail: 200 },
    );
    const s = new HostMetricsSampler({ probe, diskPath: '/data', now: () => now });
    const first = await s.sample();
    expect(first.cpuPercent).toBeNull();
    expect(first.memory).toEqual({ totalBytes: 1024000, availableBytes: 256000, usedPercent: 75 });
    expect(first.disk).toEqual({
      path: '/data',
      totalBytes: 4096000,
      usedBytes: 700 * 4096,
      availableBytes: 200 * 4096,
      usedPercent: 77.8,
    });
    expect(first.load).toEqual({ one: 1.5, five: 1, fifteen: 0.5 });
    expect(first.uptimeSeconds).toBe(90061.2);
    expect(first.cpuCount).toBe(2);
    expect(first.errors).toEqual([]);
    expect(probe.statfsPaths).toEqual(['/data']);

    // 300 busy of 400 jiffies over the next 2 s.
    now = 2_000;
    probe.files['/proc/stat'] = stat(1300, 9100);
    expect((await s.sample()).cpuPercent).toBe(75);
    // A sample soon after reuses the figure instead of measuring a tiny window.
    now = 2_100;
    probe.files['/proc/stat'] = stat(1300, 9200);
    expect((await s.sample()).cpuPercent).toBe(75);
    now = 4_000;
    probe.files['/proc/stat'] = stat(1300, 9300);
    expect((await s.sample()).cpuPercent).toBe(0);
  });

  it('reports a part it cannot read as null with the reason, and the rest anyway', async () => {
    const probe = fakeProbe({ '/proc/loadavg': '0.1 0.2 0.3 1/1 1\n' });
    const m = await new HostMetricsSampler({ probe, diskPath: '/', now: () => 0 }).sample();
    expect(m.load).toEqual({ one: 0.1, five: 0.2, fifteen: 0.3 });
    expect(m.memory).toBeNull();
    expect(m.disk).toBeNull();
    expect(m.uptimeSeconds).toBeNull();
    expect(m.errors).toEqual([
      'cpu: ENOENT: /proc/stat',
      'memory: ENOENT: /proc/meminfo',
      'disk: EACCES: /',
      'uptime: ENOENT: /proc/uptime',
    ]);
  });

  it('reads this machine (the real /proc and statfs)', async () => {
    const m = await new HostMetricsSampler({
      probe: systemHostProbe,
      diskPath: '/',
      now: Date.now,
    }).sample();
    console.log(`this host: ${JSON.stringify(m)}`);
    expect(m.errors).toEqual([]);
    expect(m.memory?.totalBytes).toBeGreaterThan(0);
    expect(m.disk?.totalBytes).toBeGreaterThan(0);
    expect(m.uptimeSeconds).toBeGreaterThan(0);
  });
});

import {
  cpuPercent,
  parseLoadavg,
  parseMeminfo,
  parseProcStat,
  parseUptime,
} from '../../../src/host/proc-parsers';

// Texts as Linux 6.x prints them (trimmed).
const STAT = `cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0
cpu0 1393280 32966 572056 13366838 4471 0 1737 0 26123 0
intr 1462898 0 0
ctxt 3024553
btime 1700000000
`;

const MEMINFO = `MemTotal:        8148544 kB
MemFree:          520316 kB
MemAvailable:    4074272 kB
Buffers:          210636 kB
Cached:          3130884 kB
SwapTotal:             0 kB
`;

describe('/proc parsers', () => {
  it('reads idle (idle + iowait) and total jiffies from the cpu line of /proc/stat', () => {
    expect(parseProcStat(STAT)).toEqual({
      idle: 46828483 + 16683,
      // user nice system idle iowait irq softirq steal; guest is already inside user.
      total: 10132153 + 290696 + 3084719 + 46828483 + 16683 + 0 + 25195 + 0,
    });
  });

  it('computes CPU busy % between two samples', () => {
    expect(cpuPercent({ idle: 100, total: 200 }, { idle: 175, total: 300 })).toBe(25);
    expect(cpuPercent({ idle: 100, total: 200 }, { idle: 100, total: 300 })).toBe(100);
    expect(cpuPercent({ idle: 100, total: 200 }, { idle: 100, total: 200 })).toBeUndefined();
  });

  it('refuses a /proc/stat without a cpu line or with words in it', () => {
    expect(() => parseProcStat('intr 1 2 3\n')).toThrow('/proc/stat has no "cpu" line');
    expect(() => parseProcStat('cpu  1 2 x 4\n')).toThrow(/not numbers/);
  });

  it('reads MemTotal and MemAvailable in bytes, and falls back to free + buffers + cached', () => {
    expect(parseMeminfo(MEMINFO)).toEqual({
      totalBytes: 8148544 * 1024,
      availableBytes: 4074272 * 1024,
    });
    const old = MEMINFO.replace(/^MemAvailable:.*\n/m, '');
    expect(parseMeminfo(old).availableBytes).toBe((520316 + 210636 + 3130884) * 1024);
    expect(() => parseMeminfo('MemFree: 1 kB\n')).toThrow('/proc/meminfo has no MemTotal');
  });

  it('reads the load averages and the uptime', () => {
    expect(parseLoadavg('0.52 0.58 0.59 2/1234 56789\n')).toEqual({
      one: 0.52,
      five: 0.58,
      fifteen: 0.59,
    });
    expect(parseUptime('350735.47 234388.90\n')).toBe(350735.47);
    expect(() => parseLoadavg('nope\n')).toThrow(/\/proc\/loadavg/);
    expect(() => parseUptime('\n')).toThrow(/\/proc\/uptime/);
  });
});

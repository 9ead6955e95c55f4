import { execFileSync } from 'node:child_process';
import { requireBinary, requireRoot, Topology } from '../../src';

function nsList(): string {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
}

describe('Topology (network namespaces joined by a bridge)', () => {
  let a: Topology | undefined;
  let b: Topology | undefined;

  beforeAll(() => {
    requireRoot('it creates network namespaces');
    requireBinary('ip', 'iproute2');
  });

  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
  });

  it('connects hosts over IPv4 and IPv6, keeps runs apart, and removes everything', async () => {
    a = await Topology.create({ roles: ['gw1', 'connector'] });
    b = await Topology.create({ roles: ['gw1', 'connector'] });
    expect(a.host('gw1').netns).not.toBe(b.host('gw1').netns);

    const ping = (t: Topology, from: string, to: string, v6 = false) =>
      execFileSync(
        'ip',
        [
          'netns',
          'exec',
          t.host(from).netns,
          'ping',
          ...(v6 ? ['-6'] : []),
          '-c',
          '1',
          '-W',
          '2',
          to,
        ],
        {
          encoding: 'utf8',
        },
      );
    expect(ping(a, 'connector', a.host('gw1').ipv4)).toMatch(/1 received/);
    expect(ping(a, 'connector', a.host('gw1').ipv6, true)).toMatch(/1 received/);

    await a.setLink('gw1', false);
    expect(() => ping(a as Topology, 'connector', (a as Topology).host('gw1').ipv4)).toThrow();
    await a.setLink('gw1', true);

    // A process left inside a namespace is killed by destroy().
    const [cmd, args] = a.execArgs('gw1', 'sleep', ['300']);
    const { spawn } = await import('node:child_process');
    const child = spawn(cmd, args, { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    await new Promise((r) => setTimeout(r, 200));
    const names = [a.hub, a.host('gw1').netns, a.host('connector').netns];
    await a.destroy();
    await exited;
    const list = nsList();
    for (const n of names) expect(list).not.toContain(n);
    expect(list).toContain(b.host('gw1').netns);
  });
});

import { execFileSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import {
  requireBinary,
  requireRoot,
  startDnsServer,
  type TestDnsServer,
  Topology,
} from '../../src';

describe('startDnsServer (a real dnsmasq answering only the names it is given)', () => {
  const started: TestDnsServer[] = [];
  let topology: Topology | undefined;

  beforeAll(() => {
    requireBinary('dnsmasq', 'dnsmasq-base');
  });

  afterAll(async () => {
    for (const s of started) await s.stop();
    await topology?.destroy();
  });

  it('answers its names over IPv4 and IPv6, NXDOMAIN for any other, and records each query', async () => {
    const dns = await startDnsServer({
      records: {
        'us-west.pa-wgcs.skyhigh.cloud': ['10.9.0.1', 'fd00::1'],
        'wgcs.skyhigh.cloud': ['10.9.0.2'],
      },
    });
    started.push(dns);
    const r = new Resolver();
    r.setServers([dns.server]);
    expect(await r.resolve4('us-west.pa-wgcs.skyhigh.cloud')).toEqual(['10.9.0.1']);
    expect(await r.resolve6('US-WEST.pa-wgcs.skyhigh.cloud')).toEqual(['fd00::1']);
    expect(await r.resolve4('wgcs.skyhigh.cloud')).toEqual(['10.9.0.2']);
    // Not forwarded to the machine's resolver: a name it does not hold does not exist.
    await expect(r.resolve4('localhost')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolve4('iam.skyhigh.cloud')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.queries()).toEqual([
      'query[A] us-west.pa-wgcs.skyhigh.cloud',
      'query[AAAA] us-west.pa-wgcs.skyhigh.cloud',
      'query[A] wgcs.skyhigh.cloud',
      'query[A] localhost',
      'query[A] iam.skyhigh.cloud',
    ]);
  });

  it('refuses a record that is not a hostname with addresses, before starting anything', async () => {
    await expect(startDnsServer({ records: { 'bad name': ['10.0.0.1'] } })).rejects.toThrow(
      /"bad name" is not a hostname/,
    );
    await expect(startDnsServer({ records: { 'a.example': ['not-an-ip'] } })).rejects.toThrow(
      /a\.example needs one or more IP addresses/,
    );
  });

  it('serves other namespaces from its own, on port 53 of that namespace', async () => {
    requireRoot('it creates network namespaces');
    topology = await Topology.create({ roles: ['dns', 'client'] });
    const dnsHost = topology.host('dns');
    const dns = await startDnsServer({
      records: { 'gw.pa-wgcs.skyhigh.cloud': ['10.9.0.7'] },
      netns: dnsHost.netns,
      listenAddress: dnsHost.ipv4,
    });
    started.push(dns);
    expect(dns.server).toBe(dnsHost.ipv4);
    // busybox's nslookup asks the given server itself (getent would read the host's resolv.conf).
    const busybox = requireBinary('busybox', 'busybox-static');
    const out = execFileSync(
      'ip',
      [
        'netns',
        'exec',
        topology.host('client').netns,
        busybox,
        'nslookup',
        '-type=a',
        'gw.pa-wgcs.skyhigh.cloud',
        dns.server,
      ],
      { encoding: 'utf8', timeout: 15_000 },
    );
    expect(out).toMatch(/Address: 10\.9\.0\.7/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  requireRoot,
  run,
  spawnTracked,
  startDnsServer,
  startTinyproxy,
  type TestDnsServer,
  type TestProxy,
  Topology,
  type TrackedProcess,
} from '@pa-connector/test-support';
import { importBusyboxImage, startVmDockerd, type VmDockerd } from '../../src/docker/vm-dockerd';

// A test VM: a network namespace with its own Docker engine, whose containers look names up only
// in the test's DNS server and reach only the test's namespaces.
let topology: Topology | undefined;
let dns: TestDnsServer | undefined;
let vm: VmDockerd | undefined;
let web: TrackedProcess | undefined;
let proxy: TestProxy | undefined;
let webRoot: string | undefined;

afterAll(async () => {
  await vm?.stop();
  await proxy?.stop();
  await web?.stop();
  await dns?.stop();
  await topology?.destroy();
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
}, 120_000);

it('runs containers in its own namespace, resolving names through the test DNS server only, and reaching a proxy at a fixed address', async () => {
  requireRoot('it creates network namespaces and runs dockerd');
  topology = await Topology.create({ roles: ['vm', 'dns', 'corp'] });
  const corp = topology.host('corp');
  dns = await startDnsServer({
    records: { 'portal.corp.example': [corp.ipv4] },
    netns: topology.host('dns').netns,
    listenAddress: topology.host('dns').ipv4,
  });
  // A web server on the corporate side of the test network.
  webRoot = mkdtempSync(join(tmpdir(), 'pa-vm-web-'));
  writeFileSync(join(webRoot, 'hello.txt'), 'hello from corp\n');
  web = spawnTracked('ip', [
    'netns',
    'exec',
    corp.netns,
    'busybox',
    'httpd',
    '-f',
    '-p',
    `${corp.ipv4}:8080`,
    '-h',
    webRoot,
  ]);

  vm = await startVmDockerd({ netns: topology.host('vm').netns, dns: dns.server });
  const image = await importBusyboxImage(vm);
  // A user-defined network, as compose makes: Docker's embedded DNS forwards to --dns.
  expect((await vm.docker(['network', 'create', 'egress'])).code).toBe(0);
  const inContainer = (...cmd: string[]) =>
    vm?.docker(['run', '--rm', '--network', 'egress', image, ...cmd]) as ReturnType<
      VmDockerd['docker']
    >;

  const page = await inContainer(
    'wget',
    '-q',
    '-O',
    '-',
    'http://portal.corp.example:8080/hello.txt',
  );
  expect({ code: page.code, stdout: page.stdout, stderr: page.stderr }).toEqual({
    code: 0,
    stdout: 'hello from corp\n',
    stderr: '',
  });
  // Any other name does not exist for the VM: the machine's own resolver is never asked.
  const other = await inContainer('nslookup', 'deb.debian.org');
  expect(other.stdout + other.stderr).toMatch(/NXDOMAIN/);
  expect(dns.queries()).toEqual(
    expect.arrayContaining(['query[A] portal.corp.example', 'query[A] deb.debian.org']),
  );

  // A corporate proxy at a fixed address of its own (as an operator's documentation gives one),
  // resolving the names it is asked for through the same DNS server.
  const vmHost = topology.host('vm');
  await run('ip', ['-n', corp.netns, 'addr', 'add', '10.212.24.192/32', 'dev', 'eth0']);
  await run('ip', ['-n', vmHost.netns, 'route', 'add', '10.212.24.192/32', 'via', corp.ipv4]);
  proxy = await startTinyproxy({
    netns: corp.netns,
    listen: { address: '10.212.24.192', port: 9090 },
    allow: [vmHost.ipv4],
    dnsServer: dns.server,
  });
  const viaProxy = await vm.docker([
    'run',
    '--rm',
    '--network',
    'egress',
    '--env',
    `http_proxy=${proxy.url}`,
    image,
    'wget',
    '-q',
    '-O',
    '-',
    'http://portal.corp.example:8080/hello.txt',
  ]);
  expect({ code: viaProxy.code, stdout: viaProxy.stdout }).toEqual({
    code: 0,
    stdout: 'hello from corp\n',
  });
  expect(proxy.log()).toMatch(/portal\.corp\.example/);
}, 300_000);

import { setTimeout as sleep } from 'node:timers/promises';
import { type DelayRelay, requireBinary, run, startDelayRelay } from '@pa-connector/test-support';
import { type Stack, waitUntil } from '../stack';
import type { Fault, FaultContext } from './fault';
import { ipNetns } from './fault-tools';

const firstGateway = (ctx: FaultContext) => ctx.stack.gateways[0] as string;

/** Where the connector's tunnel to `gateway` goes, from its /ready (`host:port/proto`). */
async function remoteOf(
  stack: Stack,
  gateway: string,
): Promise<{ host: string; port: number; protocol: 'udp' | 'tcp' }> {
  const t = Object.values(await stack.tunnels()).find((v) => v.gateway === gateway);
  const m = t && /^\[?([^\]]+?)\]?:(\d+)\/(udp|tcp)$/.exec(t.remote);
  if (!m) throw new Error(`no tunnel of the connector names ${gateway}'s address`);
  return { host: m[1] as string, port: Number(m[2]), protocol: m[3] as 'udp' | 'tcp' };
}

/** gw1's side of its link and the bridge port it is plugged into, in the hub namespace. */
async function linkOfFirstGateway(stack: Stack): Promise<Array<[netns: string, dev: string]>> {
  const gw = stack.topology.host('gw1').netns;
  const hub = stack.topology.hub;
  // `2: eth0@if7: ...`: the veth's peer is interface 7 of the hub.
  const own = await run('ip', ['-n', gw, '-o', 'link', 'show', 'eth0']);
  const peerIndex = /^\d+: eth0@if(\d+):/.exec(own)?.[1];
  const peer = (await run('ip', ['-n', hub, '-o', 'link', 'show']))
    .split('\n')
    .map((l) => /^(\d+): ([^@:]+)/.exec(l))
    .find((m) => m?.[1] === peerIndex)?.[2];
  if (!peer) throw new Error(`no bridge port in ${hub} for ${gw}'s eth0 (${own.trim()})`);
  return [
    [gw, 'eth0'],
    [hub, peer],
  ];
}

/**
 * Deletes the pop namespace's conntrack entries of the flows with `remote`, whichever side
 * opened them: NAT rules apply to a flow's first packet only, and an openvpn UDP session is one
 * long flow (its pings keep the entry alive), so without this a new rule would never catch the
 * tunnel already up.
 */
async function forgetFlows(
  netns: string,
  remote: { host: string; port: number; protocol: string },
): Promise<void> {
  const family = remote.host.includes(':') ? 'ipv6' : 'ipv4';
  for (const side of [
    ['--orig-dst', remote.host, '--orig-port-dst', String(remote.port)],
    ['--orig-src', remote.host, '--orig-port-src', String(remote.port)],
  ]) {
    try {
      await ipNetns(netns, ['conntrack', '-D', '-f', family, '-p', remote.protocol, ...side]);
    } catch (err) {
      // conntrack -D fails when it deleted nothing.
      if (!/0 flow entries have been deleted/.test((err as Error).message)) throw err;
    }
  }
}

/**
 * A delay of `delayMs` each way and a rate cap of `rate` on the path between the connector and
 * the first gateway, held for `holdMs`. The delay is a relay in the root namespace, on the
 * bridge: a DNAT rule in the pop namespace sends the connector's packets for the gateway to it,
 * and conntrack turns the relay's answers back into the gateway's; the gateway's openvpn sees
 * its client float to the relay's address and back (peer-id), the tunnel is not restarted. The
 * cap is `tbf` on both ends of gateway 1's link, so it holds both ways.
 */
async function slowPath(
  stack: Stack,
  o: { delayMs: number; rate: string; holdMs: number },
): Promise<void> {
  requireBinary('conntrack', 'conntrack');
  requireBinary('tc', 'iproute2');
  const gateway = stack.gateways[0] as string;
  const remote = await remoteOf(stack, gateway);
  const v6 = remote.host.includes(':');
  const pop = stack.connector.host.netns;
  const links = await linkOfFirstGateway(stack);
  const relay: DelayRelay = await startDelayRelay({
    protocol: remote.protocol,
    target: { host: remote.host, port: remote.port },
    delayMs: o.delayMs,
    host: v6 ? stack.rootAddress.ipv6 : stack.rootAddress.ipv4,
  });
  const relayAddress = v6 ? `[${relay.host}]:${relay.port}` : `${relay.host}:${relay.port}`;
  const port = String(remote.port);
  const rules: Array<{ table: string; chain: string; spec: string[] }> = [
    // What the gateway still sends straight to the connector is dropped before conntrack sees
    // it: such a packet would otherwise open the flow the other way round, and the connector's
    // packets, taken for its replies, would never be NATed. Over the relay nothing comes from
    // the gateway's address.
    {
      table: 'raw',
      chain: 'PREROUTING',
      spec: ['-p', remote.protocol, '-s', remote.host, '--sport', port, '-j', 'DROP'],
    },
    {
      table: 'nat',
      chain: 'OUTPUT',
      spec: [
        ...['-p', remote.protocol, '-d', remote.host, '--dport', port],
        ...['-j', 'DNAT', '--to-destination', relayAddress],
      ],
    },
  ];
  const iptables = (op: '-I' | '-D', r: (typeof rules)[number]) =>
    ipNetns(pop, [v6 ? 'ip6tables' : 'iptables', '-t', r.table, op, r.chain, ...r.spec]);
  const capped: typeof links = [];
  const ruled: typeof rules = [];
  try {
    for (const [netns, dev] of links) {
      await ipNetns(netns, [
        ...['tc', 'qdisc', 'add', 'dev', dev, 'root'],
        ...['tbf', 'rate', o.rate, 'burst', '32kbit', 'latency', '400ms'],
      ]);
      capped.push([netns, dev]);
    }
    for (const r of rules) {
      await iptables('-I', r);
      ruled.push(r);
    }
    await forgetFlows(pop, remote);
    await sleep(o.holdMs);
    const { up, down } = relay.stats;
    if (up.count === 0 || down.count === 0) {
      throw new Error(
        `the delay relay carried ${up.count} datagrams up and ${down.count} down: the path was not delayed`,
      );
    }
  } finally {
    for (const r of ruled.reverse()) {
      await iptables('-D', r).catch(() => undefined);
    }
    if (ruled.length) {
      // The tunnel's flow is still NATed to the relay: forget it so the next packet goes
      // straight, and keep the relay a moment for what is on its way.
      await forgetFlows(pop, remote).catch(() => undefined);
      await sleep(o.delayMs * 2 + 1_000);
    }
    await relay.close();
    for (const [netns, dev] of capped) {
      await ipNetns(netns, ['tc', 'qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
    }
  }
}

/**
 * Kills the gateway, starts it again and waits until the connector's tunnel to it is connected
 * again, `cycles` times in a row. The tunnel's reconnect count tells a tunnel that came back
 * from one that was never seen down (a poll can miss a short down window).
 */
async function reconnectCycles(stack: Stack, gateway: string, cycles: number): Promise<void> {
  const tunnelTo = async () =>
    Object.values(await stack.tunnels()).find((v) => v.gateway === gateway);
  for (let i = 1; i <= cycles; i++) {
    const before = await tunnelTo();
    if (!before) throw new Error(`the connector has no tunnel to ${gateway}`);
    await stack.killGateway(gateway);
    await stack.startGateway(gateway);
    await waitUntil(
      `cycle ${i} of ${cycles}: the tunnel to ${gateway} connected again`,
      async () => {
        const t = await tunnelTo();
        return t && t.phase === 'connected' && t.reconnects > before.reconnects ? true : undefined;
      },
      60_000,
    );
  }
}

/** Delay and a rate cap on the path to a gateway; a gateway reconnected again and again. */
export const NETWORK_FAULTS: readonly Fault[] = [
  {
    name: '200 ms delay + 10 Mbit/s cap connector <-> gateway 20 s',
    gateway: firstGateway,
    run: ({ stack }) => slowPath(stack, { delayMs: 200, rate: '10mbit', holdMs: 20_000 }),
  },
  {
    name: 'gateway killed and started 5 times in a row',
    gateway: firstGateway,
    run: ({ stack }) => reconnectCycles(stack, stack.gateways[0] as string, 5),
  },
];

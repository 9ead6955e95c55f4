import { run } from '@pa-connector/test-support';

/**
 * UDP datagrams the kernel of `netns` dropped because a socket's receive buffer was full
 * (`Udp: RcvbufErrors` of /proc/net/snmp, read from inside the namespace). For the openvpn
 * sockets this is tunnel packet loss, which every path through the tunnel suffers alike.
 */
export async function udpReceiveDrops(netns: string): Promise<number> {
  const snmp = await run('ip', ['netns', 'exec', netns, 'cat', '/proc/net/snmp']);
  const [names, values] = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  const i = names?.split(/\s+/).indexOf('RcvbufErrors') ?? -1;
  const v = values?.split(/\s+/)[i];
  if (i < 0 || v === undefined)
    throw new Error(`no Udp RcvbufErrors in /proc/net/snmp of ${netns}`);
  return Number(v);
}

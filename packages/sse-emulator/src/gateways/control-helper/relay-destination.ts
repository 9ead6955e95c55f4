type RelayDestination =
  | {
      ok: true;
      host: string;
      port: number /** `host:port` as asked, for messages. */;
      dest: string;
    }
  | { ok: false; code: 'bad_request' | 'forbidden'; message: string };

/**
 * Reads the relay's first line, `<address> <port>`, and allows only a connector's address on
 * this gateway's /24 tunnel network (`network`, e.g. `10.231.1.0`): not the gateway itself (.1),
 * not the network or broadcast address, nothing outside the tunnel. Never an open relay.
 */
export function relayDestination(line: string, network: string): RelayDestination {
  const m = /^([0-9.]+) ([0-9]{1,5})$/.exec(line);
  if (!m) return { ok: false, code: 'bad_request', message: 'expected "<address> <port>"' };
  const host = m[1] ?? '';
  const port = Number(m[2]);
  if (!onTunnelNetwork(host, network) || port < 1 || port > 65535) {
    return {
      ok: false,
      code: 'forbidden',
      message: `${host}:${m[2]} is not a connector address on tunnel network ${network}/24`,
    };
  }
  return { ok: true, host, port, dest: `${host}:${m[2]}` };
}

function onTunnelNetwork(address: string, network: string): boolean {
  const prefix = `${network.split('.').slice(0, 3).join('.')}.`;
  if (!address.startsWith(prefix)) return false;
  const last = address.slice(prefix.length);
  return /^[0-9]{1,3}$/.test(last) && Number(last) >= 2 && Number(last) <= 254;
}

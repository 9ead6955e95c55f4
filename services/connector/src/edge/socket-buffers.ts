/** What the connector asks of openvpn for its tunnel socket, each way (`sndbuf`, `rcvbuf`). */
export const SOCKET_BUFFER_BYTES = 4_194_304;

/** The socket buffers openvpn got, when the kernel gave less than it asked for. */
export interface SocketBufferShortfall {
  /** Bytes the kernel reports for the receive buffer (present only when short). */
  receive?: number;
  send?: number;
}

/**
 * Reads openvpn's `Socket Buffers: R=[old->new] S=[old->new]` line (verb 3, once per socket) and
 * says which buffer came out smaller than `asked`: the kernel cuts the ask, silently, to
 * net.core.rmem_max / wmem_max (208 KiB on a stock kernel), and the tunnel then drops datagrams
 * under bulk load. Linux reports twice what it granted, so a full grant reads as twice the ask;
 * anything below the ask itself is certainly a cut. Undefined for any other line, or no cut.
 */
export function socketBufferShortfall(
  line: string,
  asked = SOCKET_BUFFER_BYTES,
): SocketBufferShortfall | undefined {
  const m = /Socket Buffers: R=\[\d+->(\d+)\] S=\[\d+->(\d+)\]/.exec(line);
  if (!m) return undefined;
  const receive = Number(m[1]);
  const send = Number(m[2]);
  const short: SocketBufferShortfall = {
    ...(receive < asked ? { receive } : {}),
    ...(send < asked ? { send } : {}),
  };
  return short.receive === undefined && short.send === undefined ? undefined : short;
}

/** The operator's line for a shortfall: what was cut, by which limit, and what to do. */
export function describeShortfall(s: SocketBufferShortfall, asked = SOCKET_BUFFER_BYTES): string {
  const kib = (n: number) => `${Math.round(n / 1024)} KiB`;
  const parts = [
    ...(s.receive !== undefined ? [`receive ${kib(s.receive)} (net.core.rmem_max)`] : []),
    ...(s.send !== undefined ? [`send ${kib(s.send)} (net.core.wmem_max)`] : []),
  ];
  return (
    `the kernel cut the tunnel's socket buffers to ${parts.join(', ')} of the ${kib(asked)} asked: ` +
    `under bulk load the tunnel drops datagrams. Raise both limits on the host to ${asked} ` +
    '(infra.sh writes /etc/sysctl.d/60-pa-connector.conf)'
  );
}

import {
  describeShortfall,
  SOCKET_BUFFER_BYTES,
  socketBufferShortfall,
} from '../../../src/edge/socket-buffers';

describe("openvpn's socket buffers, cut by the kernel", () => {
  it('a full grant (Linux reports twice the ask) is no shortfall', () => {
    expect(
      socketBufferShortfall('Socket Buffers: R=[212992->8388608] S=[212992->8388608]'),
    ).toBeUndefined();
  });

  it("a stock kernel's 208 KiB limit cuts both ways", () => {
    const line = '2026-12-03 22:10:01 Socket Buffers: R=[212992->425984] S=[212992->425984]';
    expect(socketBufferShortfall(line)).toEqual({ receive: 425_984, send: 425_984 });
  });

  it('one side cut: only that one is named', () => {
    expect(socketBufferShortfall('Socket Buffers: R=[212992->425984] S=[212992->8388608]')).toEqual(
      { receive: 425_984 },
    );
  });

  it('any other line, or a malformed one, says nothing', () => {
    expect(socketBufferShortfall('UDPv4 link local: (not bound)')).toBeUndefined();
    expect(socketBufferShortfall('Socket Buffers: R=[x->1] S=[1->1]')).toBeUndefined();
  });

  it('the warning names the limits, the sizes and what to do', () => {
    const text = describeShortfall({ receive: 425_984 }, SOCKET_BUFFER_BYTES);
    expect(text).toBe(
      "the kernel cut the tunnel's socket buffers to receive 416 KiB (net.core.rmem_max) of the " +
        '4096 KiB asked: under bulk load the tunnel drops datagrams. Raise both limits on the host ' +
        'to 4194304 (infra.sh writes /etc/sysctl.d/60-pa-connector.conf)',
    );
  });
});

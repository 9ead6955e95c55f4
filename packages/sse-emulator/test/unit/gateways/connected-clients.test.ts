import { Duplex } from 'node:stream';
import { readConnectedClients } from '../../../src/gateways/connected-clients';

const GREETING = ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n";

/** `status 3` of a gateway with one connector, as OpenVPN 2.6 prints it (CRLF, tabs). */
const STATUS_3 = [
  'TITLE\tOpenVPN 2.6.14 x86_64-pc-linux-gnu',
  'TIME\t2026-11-23 11:28:20\t1795433300',
  'HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\tBytes Received\tBytes Sent\tConnected Since\tConnected Since (time_t)\tUsername\tClient ID\tPeer ID\tData Channel Cipher',
  'CLIENT_LIST\tcon_ab\t10.100.1.12:40000\t10.231.1.2\t\t3456\t7890\t2026-11-23 11:00:00\t1795431600\tUNDEF\t0\t0\tAES-256-GCM',
  // A real-time line may fall between the lines of a reply; it is not part of the list.
  '>BYTECOUNT_CLI:0,3456,7890',
  'HEADER\tROUTING_TABLE\tVirtual Address\tCommon Name\tReal Address\tLast Ref\tLast Ref (time_t)',
  'ROUTING_TABLE\t10.231.1.2\tcon_ab\t10.100.1.12:40000\t2026-11-23 11:28:16\t1795433296',
  'GLOBAL_STATS\tMax bcast/mcast queue length\t0',
  'END',
  '',
].join('\r\n');

/**
 * A gateway's management socket: greets, answers the commands in `answers` (split in two
 * chunks mid-line, as a socket may), hangs up on `quit`, and keeps every command it was sent.
 */
function scriptedGateway(answers: Record<string, string>) {
  const received: string[] = [];
  let closed = false;
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        received.push(line);
        if (line === 'quit') {
          stream.push(null);
          continue;
        }
        const answer = answers[line];
        if (answer === undefined) continue;
        const cut = Math.floor(answer.length / 2);
        stream.push(answer.slice(0, cut));
        setImmediate(() => stream.push(answer.slice(cut)));
      }
      done();
    },
  });
  stream.on('close', () => {
    closed = true;
  });
  stream.push(GREETING);
  return {
    connector: async () => stream,
    received,
    get closed() {
      return closed || stream.destroyed;
    },
  };
}

describe('readConnectedClients', () => {
  it('reads the client list of `status 3` and ends the session', async () => {
    const gw = scriptedGateway({ 'status 3': STATUS_3 });
    await expect(readConnectedClients('/gw/management.sock', gw)).resolves.toEqual([
      {
        commonName: 'con_ab',
        realAddress: '10.100.1.12:40000',
        tunnelAddress: '10.231.1.2',
        bytesReceived: 3456,
        bytesSent: 7890,
        connectedSince: '2026-11-23 11:00:00',
      },
    ]);
    expect(gw.received).toEqual(['status 3', 'quit']);
    expect(gw.closed).toBe(true);
  });

  it('an empty gateway has no clients', async () => {
    const empty = STATUS_3.split('\r\n')
      .filter((l) => !l.startsWith('CLIENT_LIST') && !l.startsWith('ROUTING_TABLE\t'))
      .join('\r\n');
    await expect(
      readConnectedClients('/gw/management.sock', scriptedGateway({ 'status 3': empty })),
    ).resolves.toEqual([]);
  });

  it('a gateway that does not answer is an error within the deadline, and the session is closed', async () => {
    const gw = scriptedGateway({});
    const started = Date.now();
    await expect(
      readConnectedClients('/gw/management.sock', { ...gw, timeoutMs: 100 }),
    ).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(gw.received).toEqual(['status 3']);
    expect(gw.closed).toBe(true);
  });

  it('a missing socket is a connect error naming it', async () => {
    await expect(
      readConnectedClients('/nonexistent/pa-test/management.sock', { timeoutMs: 500 }),
    ).rejects.toMatchObject({
      code: 'ERR_CONNECT',
      message: expect.stringContaining('/nonexistent/pa-test/management.sock'),
    });
  });
});

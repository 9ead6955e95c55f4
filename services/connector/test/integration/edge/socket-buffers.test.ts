import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary, run, spawnTracked } from '@pa-connector/test-support';
import { socketBufferShortfall } from '../../../src/edge/socket-buffers';

/** openvpn's own `Socket Buffers` line for a UDP socket asking `bytes` each way (no tunnel made). */
async function socketBuffersLine(bytes: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pa-sockbuf-'));
  try {
    const key = join(dir, 'static.key');
    await run('openvpn', ['--genkey', 'secret', key]);
    // Point to point over UDP to the discard port: the socket and its buffers are set up at
    // once; no device (`dev null`), nothing is sent anywhere but loopback.
    const p = spawnTracked('openvpn', [
      ...[
        '--dev',
        'null',
        '--proto',
        'udp',
        '--lport',
        '0',
        '--remote',
        '127.0.0.1',
        '--rport',
        '9',
      ],
      ...['--secret', key, '--cipher', 'AES-256-CBC', '--verb', '3'],
      ...['--sndbuf', String(bytes), '--rcvbuf', String(bytes)],
    ]);
    try {
      return await p.waitForLine(/Socket Buffers:/, 10_000);
    } finally {
      await p.stop(1_000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The shortfall parser against a real openvpn's line. The host's limits are never changed (they
 * are host-wide): the ask is made larger than this machine's limit instead, so the kernel cuts it.
 */
describe("openvpn's socket buffers on this kernel", () => {
  beforeAll(() => requireBinary('openvpn'));

  const limit = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  const wlimit = Number(readFileSync('/proc/sys/net/core/wmem_max', 'utf8'));

  it('an ask within the limits is granted: no shortfall', async () => {
    const ask = Math.min(limit, wlimit);
    expect(socketBufferShortfall(await socketBuffersLine(ask), ask)).toBeUndefined();
  });

  it('an ask above the limits is cut to them, and read as a shortfall both ways', async () => {
    const ask = 4 * Math.max(limit, wlimit);
    const short = socketBufferShortfall(await socketBuffersLine(ask), ask);
    // Linux reports twice what it granted: twice the limit.
    expect(short).toEqual({ receive: 2 * limit, send: 2 * wlimit });
  });
});

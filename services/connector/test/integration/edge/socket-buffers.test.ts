import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '@pa-connector/test-support';
import { socketBufferShortfall } from '../../../src/edge/socket-buffers';

/** openvpn's own `Socket Buffers` line for a UDP socket asking `bytes` each way (no tunnel made). */
async function socketBuffersLine(bytes: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pa-sockbuf-'));
  try {
    const key = join(dir, 'static.key');
    await new Promise<void>((resolve, reject) => {
      const p = spawn('openvpn', ['--genkey', 'secret', key], { stdio: 'ignore' });
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`genkey exit ${code}`))));
    });
    // Point to point over UDP to the discard port: the socket and its buffers are set up at
    // once; no device (`dev null`), nothing is sent anywhere but loopback.
    const p = spawn(
      'openvpn',
      [
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
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      return await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(
          () => reject(new Error(`no Socket Buffers line in 10 s:\n${out}`)),
          10_000,
        );
        p.stdout.on('data', (c: Buffer) => {
          out += c.toString('utf8');
          const line = out.split('\n').find((l) => l.includes('Socket Buffers:'));
          if (line) {
            clearTimeout(timer);
            resolve(line);
          }
        });
        p.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`openvpn exited ${code} before its Socket Buffers line:\n${out}`));
        });
      });
    } finally {
      p.kill('SIGKILL');
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

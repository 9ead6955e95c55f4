import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createRegistry } from '@pa-connector/metrics';
import { FakeClock, flush } from '@pa-connector/test-support';
import { Balancer } from '../../../src/balancer/balancer';
import { AppList } from '../../../src/health/app-source';
import { ProxyServer } from '../../../src/proxy/proxy-server';
import { captureLogger } from '../../support/capture-logger';

class FakeSocket extends Duplex {
  written = '';
  remoteAddress = '10.9.0.1';
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written += chunk.toString('latin1');
    cb();
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
}

describe('ProxyServer: a failure while routing one connection', () => {
  it('ends that connection only, logged, never an unhandled rejection', async () => {
    const log = captureLogger();
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      let broken = true;
      const proxy = new ProxyServer({
        port: 0,
        apps: new AppList([
          {
            id: 'a',
            name: 'A',
            host: 'a.internal',
            port: 80,
            servers: [{ host: '10.0.0.1', port: 8080 }],
            strategy: 'round-robin',
            healthCheck: { type: 'tcp' },
          },
        ]),
        balancer: new Balancer(() => {
          if (broken) throw new TypeError('health state unreadable');
          return false;
        }),
        clock: new FakeClock(),
        logger: log.logger,
        registry: createRegistry('connector', { defaultMetrics: false }),
        maxConnections: 10,
        maxConnectionsPerApp: 10,
        headerTimeoutMs: 1_000,
        idleTimeoutMs: 10_000,
        dialTimeoutMs: 1_000,
        drainGraceMs: 1_000,
        resolve: async () => [{ address: '10.0.0.1', family: 4 as const }],
      });
      const first = new FakeSocket();
      proxy.handleConnection(first as unknown as Socket);
      first.push('CONNECT a.internal:80 HTTP/1.1\r\n\r\n');
      await flush();
      await new Promise((r) => setImmediate(r));
      expect(first.destroyed).toBe(true);
      expect(log.lines.join('\n')).toContain('proxy connection failed');
      expect(rejections).toEqual([]);
      // The proxy still serves: the next connection gets its ordinary answer.
      broken = false;
      const second = new FakeSocket();
      proxy.handleConnection(second as unknown as Socket);
      second.push('CONNECT a.internal:80 HTTP/1.1\r\n\r\n');
      await flush();
      expect(second.written).toMatch(/^HTTP\/1\.1 503 /);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

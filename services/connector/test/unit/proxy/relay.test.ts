import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { flush } from '@pa-connector/test-support';
import { relay } from '../../../src/proxy/relay';

/** A socket stand-in: what is pushed is read; writes are held until `accept()` when slow. */
class FakeSocket extends Duplex {
  readonly written: string[] = [];
  #held: Array<() => void> = [];
  constructor(readonly slow = false) {
    super({ allowHalfOpen: true, writableHighWaterMark: 4 });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written.push(chunk.toString('latin1'));
    if (this.slow) this.#held.push(cb);
    else cb();
  }
  accept(): void {
    for (const cb of this.#held.splice(0)) cb();
  }
}

const pair = (slowB = false) => {
  const a = new FakeSocket();
  const b = new FakeSocket(slowB);
  relay(a as unknown as Socket, b as unknown as Socket);
  return { a, b };
};

describe('relay', () => {
  it('carries bytes both ways', async () => {
    const { a, b } = pair();
    a.push('to b');
    b.push('to a');
    await flush();
    expect(b.written).toEqual(['to b']);
    expect(a.written).toEqual(['to a']);
  });

  it('pauses a side whose peer is full until the peer drains', async () => {
    const { a, b } = pair(true);
    a.push('12345');
    await flush();
    expect(a.isPaused()).toBe(true);
    a.push('6');
    await flush();
    expect(b.written).toEqual(['12345']);
    b.accept();
    await flush();
    b.accept();
    await flush();
    expect(a.isPaused()).toBe(false);
    expect(b.written).toEqual(['12345', '6']);
  });

  it('passes a FIN on as a half-close; the other direction keeps flowing', async () => {
    const { a, b } = pair();
    a.push(null);
    await flush();
    expect(b.writableEnded).toBe(true);
    expect(a.writableEnded).toBe(false);
    b.push('answer');
    await flush();
    expect(a.written).toEqual(['answer']);
  });

  it('resumes a side that was paused while its request was read', async () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    a.pause();
    a.push('early');
    relay(a as unknown as Socket, b as unknown as Socket);
    await flush();
    expect(b.written).toEqual(['early']);
  });
});

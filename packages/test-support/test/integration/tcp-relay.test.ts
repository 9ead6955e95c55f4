import { connect, createServer, type Server, type Socket } from 'node:net';
import { startTcpRelay, type TcpRelay, waitFor } from '../../src';

/** Everything a socket received so far. */
function collect(s: Socket): { text: () => string; closed: () => boolean } {
  let text = '';
  let closed = false;
  s.on('data', (d) => {
    text += String(d);
  });
  s.on('close', () => {
    closed = true;
  });
  return { text: () => text, closed: () => closed };
}

describe('startTcpRelay', () => {
  let echo: Server;
  let relay: TcpRelay;
  const upstreamSockets: Socket[] = [];
  beforeAll(async () => {
    echo = createServer((s) => {
      upstreamSockets.push(s);
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const addr = echo.address();
    relay = await startTcpRelay({
      host: '127.0.0.1',
      port: typeof addr === 'object' && addr ? addr.port : 0,
    });
  });
  afterAll(async () => {
    await relay.close();
    await new Promise((r) => echo.close(r));
  });

  const dial = async (): Promise<Socket> => {
    const s = connect(relay.port, relay.host);
    await new Promise((r) => s.once('connect', r));
    return s;
  };

  it('relays both ways, holds bytes while paused with the sockets open, then delivers them', async () => {
    const s = await dial();
    const got = collect(s);
    s.write('one;');
    await waitFor('the echo of one', () => got.text() === 'one;');

    relay.pause();
    s.write('two;');
    await new Promise((r) => setTimeout(r, 500));
    expect(got.text()).toBe('one;');
    expect(got.closed()).toBe(false);

    // A connection opened while paused is accepted but gets nothing through either.
    const late = await dial();
    const lateGot = collect(late);
    late.write('late;');
    await new Promise((r) => setTimeout(r, 300));
    expect(lateGot.text()).toBe('');

    relay.resume();
    await waitFor('the held bytes', () => got.text() === 'one;two;');
    await waitFor('the late connection', () => lateGot.text() === 'late;');
    expect(relay.connections).toBe(2);
    s.destroy();
    late.destroy();
    await waitFor('both pairs closed', () => relay.connections === 0);
  });

  it('holds bytes from the server side too', async () => {
    const s = await dial();
    const got = collect(s);
    s.write('x');
    await waitFor('the echo', () => got.text() === 'x');
    relay.pause();
    const up = upstreamSockets.at(-1) as Socket;
    up.write('pushed');
    await new Promise((r) => setTimeout(r, 300));
    expect(got.text()).toBe('x');
    relay.resume();
    await waitFor('the pushed bytes', () => got.text() === 'xpushed');
    s.destroy();
  });
});

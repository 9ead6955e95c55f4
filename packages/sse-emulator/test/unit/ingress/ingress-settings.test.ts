import { serveSettings } from '../../../src/cli/serve-options';

describe('serveSettings for the user ingress', () => {
  const files: Record<string, string> = {
    '/ingress.json': JSON.stringify({
      dataDir: '/d',
      gateways: true,
      ingressPort: 8445,
      ingressHost: '::1',
    }),
  };
  const read = async (p: string) => {
    const text = files[p];
    if (text === undefined) throw new Error(`ENOENT: ${p}`);
    return text;
  };

  it('is off by default', async () => {
    const { options } = await serveSettings(['--data-dir', '/d', '--gateways'], read);
    expect(options.ingressPort).toBeUndefined();
    expect(options.ingressHost).toBeUndefined();
  });

  it('takes --ingress-port (0 = a free port) with 127.0.0.1 as the default host', async () => {
    const { options } = await serveSettings(
      ['--data-dir', '/d', '--gateways', '--ingress-port', '0'],
      read,
    );
    expect(options).toMatchObject({ ingressPort: 0, ingressHost: '127.0.0.1' });
  });

  it('reads ingressPort and ingressHost from the config file; flags win', async () => {
    expect((await serveSettings(['--config', '/ingress.json'], read)).options).toMatchObject({
      ingressPort: 8445,
      ingressHost: '::1',
    });
    expect(
      (await serveSettings(['--config', '/ingress.json', '--ingress-host', '0.0.0.0'], read))
        .options.ingressHost,
    ).toBe('0.0.0.0');
  });

  it('takes the connect deadline and the suspect time as durations, in ms; absent: defaults', async () => {
    const base = ['--data-dir', '/d', '--gateways', '--ingress-port', '0'];
    const plain = (await serveSettings(base, read)).options;
    expect(plain.ingressConnectTimeoutMs).toBeUndefined();
    expect(plain.ingressSuspectMs).toBeUndefined();
    const set = await serveSettings(
      [...base, '--ingress-connect-timeout', '3s', '--ingress-suspect', '1m'],
      read,
    );
    expect(set.options).toMatchObject({ ingressConnectTimeoutMs: 3000, ingressSuspectMs: 60_000 });
  });

  it.each([
    [
      ['--ingress-port', '0', '--gateways', '--ingress-connect-timeout', 'soon'],
      /--ingress-connect-timeout must be a duration like 90, 30s/,
    ],
    [
      ['--ingress-port', '0', '--gateways', '--ingress-connect-timeout', '2m'],
      /--ingress-connect-timeout must be at most 60 seconds/,
    ],
    [
      ['--ingress-port', '0', '--gateways', '--ingress-suspect', '0'],
      /--ingress-suspect must be a duration/,
    ],
    [
      ['--gateways', '--ingress-suspect', '5s'],
      /--ingress-suspect is given without --ingress-port/,
    ],
    [['--ingress-port', '99999', '--gateways'], /--ingress-port must be a port number/],
    [['--ingress-port', 'x', '--gateways'], /--ingress-port must be a port number/],
    [['--ingress-port', '8445'], /--ingress-port needs --gateways/],
    [
      ['--ingress-host', '127.0.0.1', '--gateways'],
      /--ingress-host is given without --ingress-port/,
    ],
  ])('refuses %j', async (flags, message) => {
    await expect(serveSettings(['--data-dir', '/d', ...flags], read)).rejects.toThrow(message);
  });
});

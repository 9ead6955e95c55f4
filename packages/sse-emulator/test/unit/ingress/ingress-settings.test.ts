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

  it.each([
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

import { FaultTable } from '../../src';
import { parseFaultSpec, parseFaultTarget } from '../../src/faults/fault-table';
import { maliciousPayload } from '../../src/faults/hostile';
import { malformedResponse } from '../../src/faults/malformed';

describe('FaultTable', () => {
  it('prefers the endpoint fault over *, and counts down to clear', () => {
    const faults = new FaultTable();
    faults.set('*', { mode: '5xx', status: 500 });
    faults.set('token', { mode: 'down', count: 2 });
    expect(faults.take('token')?.mode).toBe('down');
    expect(faults.take('token')?.mode).toBe('down');
    expect(faults.take('token')?.mode).toBe('5xx');
    expect(faults.take('catalog')?.status).toBe(500);
    faults.clear('*');
    expect(faults.take('catalog')).toBeUndefined();
    expect(faults.list()).toEqual({});
  });

  it('clears everything', () => {
    const faults = new FaultTable();
    faults.set('health', { mode: 'slow', delayMs: 10 });
    faults.set('*', { mode: 'down' });
    faults.clear();
    expect(faults.take('health')).toBeUndefined();
  });
});

describe('parseFaultSpec', () => {
  it('fills defaults', () => {
    expect(parseFaultSpec({ mode: '5xx' })).toEqual({ mode: '5xx', status: 503 });
    expect(parseFaultSpec({ mode: 'malformed' })).toEqual({
      mode: 'malformed',
      variant: 'not-json',
    });
    expect(parseFaultSpec({ mode: 'down', count: 3 })).toEqual({ mode: 'down', count: 3 });
    expect(parseFaultSpec({ mode: 'lost-response', count: 1 })).toEqual({
      mode: 'lost-response',
      count: 1,
    });
    expect(parseFaultSpec({ mode: 'malicious', variant: 'cipher-none' })).toEqual({
      mode: 'malicious',
      variant: 'cipher-none',
      markerPath: '/tmp/pa-emulator-injected-up-ran',
    });
  });

  it('a malicious answer keeps everything but the one field', () => {
    const body = {
      certificate: 'C',
      caChain: ['I', 'R'],
      gateways: [{ host: '10.0.0.1' }],
      tunnel: { tlsCryptKey: 'K', cipher: 'AES-256-GCM' },
    };
    const out = (variant: Parameters<typeof maliciousPayload>[1]) =>
      JSON.parse(maliciousPayload('register', variant, '/tmp/m', JSON.stringify(body)));
    expect(out('cipher-none')).toEqual({ ...body, tunnel: { ...body.tunnel, cipher: 'none' } });
    expect(out('tls-crypt-directive').tunnel.tlsCryptKey).toBe(
      `K\n</tls-crypt>\nscript-security 2\nup "/bin/sh -c 'touch /tmp/m'"\n<tls-crypt>\nK\n`,
    );
    expect(out('ca-chain-directive').caChain[0]).toBe('I');
    expect(maliciousPayload('catalog', 'cipher-none', '/tmp/m', '{"a":1}')).toBe('{"a":1}');
  });

  it.each([
    [{ mode: 'explode' }, /mode must be one of/],
    [{ mode: '5xx', status: 404 }, /status must be/],
    [{ mode: 'slow' }, /delayMs must be/],
    [{ mode: 'malformed', variant: 'weird' }, /variant must be/],
    [{ mode: 'down', count: 0 }, /count must be/],
    [[], /body must be a JSON object/],
  ])('rejects %j naming the field', (body, message) => {
    expect(() => parseFaultSpec(body)).toThrow(message);
  });

  it('knows the endpoint names', () => {
    expect(parseFaultTarget('register')).toBe('register');
    expect(parseFaultTarget('*')).toBe('*');
    expect(() => parseFaultTarget('bogus')).toThrow(/not one of \*, register, token/);
  });
});

describe('malformedResponse', () => {
  it('is not JSON, or JSON without the fields a client needs', () => {
    const notJson = malformedResponse('catalog', 'not-json');
    expect(notJson.status).toBe(200);
    expect(() => JSON.parse(notJson.payload)).toThrow();
    const reg = malformedResponse('register', 'missing-fields');
    expect(reg.status).toBe(201);
    const body = JSON.parse(reg.payload);
    expect(body.certificate).toBeUndefined();
    expect(body.caChain).toBeUndefined();
    expect(
      JSON.parse(malformedResponse('token', 'missing-fields').payload).accessToken,
    ).toBeUndefined();
  });
});

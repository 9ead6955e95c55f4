import { FaultTable } from '../../src';
import { resolveFaultSpec } from '../../src/faults/fault-table';
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

describe('resolveFaultSpec', () => {
  it('fills defaults', () => {
    expect(resolveFaultSpec({ mode: '5xx' })).toEqual({ mode: '5xx', status: 503 });
    expect(resolveFaultSpec({ mode: 'malformed' })).toEqual({
      mode: 'malformed',
      variant: 'not-json',
    });
    expect(resolveFaultSpec({ mode: 'down', count: 3 })).toEqual({ mode: 'down', count: 3 });
    expect(resolveFaultSpec({ mode: 'lost-response', count: 1 })).toEqual({
      mode: 'lost-response',
      count: 1,
    });
    expect(resolveFaultSpec({ mode: 'malicious', variant: 'cipher-none' })).toEqual({
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
    [{ mode: 'slow' as const }, /delayMs must be/],
    [{ mode: 'malformed' as const, variant: 'cipher-none' }, /variant must be one of not-json/],
    [{ mode: 'malicious' as const }, /variant must be one of certificate-directive/],
    [{ mode: 'malicious' as const, variant: 'not-json' }, /variant must be one of/],
  ])('refuses %j naming the field', (request, message) => {
    expect(() => resolveFaultSpec(request)).toThrow(message);
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

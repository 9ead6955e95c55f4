import type { CatalogApp } from '@pa-connector/sse-api';
import { AppList } from '../../../src/health/app-source';
import { canonicalHost, formatHostPort } from '../../../src/health/host-port';
import { AppIndex } from '../../../src/proxy/app-index';

describe('host:port', () => {
  it('brackets IPv6 hosts only', () => {
    expect(formatHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(formatHostPort('fd00::1', 80)).toBe('[fd00::1]:80');
    expect(formatHostPort('app.internal', 443)).toBe('app.internal:443');
  });

  it('canonicalizes hostnames and IPv6 literals', () => {
    expect(canonicalHost('App.Internal')).toBe('app.internal');
    expect(canonicalHost('FD00:0:0:0::1')).toBe('fd00::1');
    expect(canonicalHost('::ffff:10.0.0.1')).toBe('::ffff:a00:1');
  });
});

describe('AppList and AppIndex', () => {
  const app = (id: string, host: string, port: number): CatalogApp => ({
    id,
    name: id,
    host,
    port,
    servers: [{ host: '10.0.0.1', port: 1 }],
    strategy: 'round-robin',
    healthCheck: { type: 'tcp' },
  });

  it('signals changes only when the apps differ, and the index follows them', () => {
    const list = new AppList([app('a', 'a.internal', 80)]);
    const index = new AppIndex(list);
    let changes = 0;
    list.onChange(() => changes++);
    expect(list.set([app('a', 'a.internal', 80)])).toBe(false);
    expect(changes).toBe(0);
    expect(index.find('a.internal', 80)?.id).toBe('a');
    list.set([app('b', 'FD00:0::5', 443)]);
    expect(changes).toBe(1);
    expect(index.find('a.internal', 80)).toBeUndefined();
    expect(index.find('fd00::5', 443)?.id).toBe('b');
    index.close();
  });
});

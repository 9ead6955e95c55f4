import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gateway } from '@pa-connector/sse-api';
import { parseNoProxy } from '@pa-connector/sse-api';
import { FakeClock, flush, waitFor } from '@pa-connector/test-support';
import type { TunnelView } from '../../../src/edge/tunnel-view';
import type { Identity } from '../../../src/identity/identity';
import { TunnelSupervisor } from '../../../src/supervisor/supervisor';
import { captureLogger } from '../../support/capture-logger';
import { makeIdentity } from '../../support/identity-fixture';

const gw = (name: string, host: string): Gateway => ({
  id: name,
  name,
  host,
  port: 1194,
  protocol: 'udp',
  serverName: name,
  controlUrl: `http://10.231.0.1:8900/${name}`,
});

/**
 * The supervisor's choices, with an openvpn that cannot start (a path that does not exist): no
 * process runs, each tunnel just goes down and waits for a restart the fake clock never reaches.
 */
describe('tunnel supervisor', () => {
  let dir: string;
  const base = makeIdentity();
  let identity: Identity;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pa-supervisor-'));
    identity = { ...base, tunnel: { tlsCryptKey: 'TLS-CRYPT-KEY', cipher: 'AES-256-GCM' } };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function supervisor() {
    const { logger, entries } = captureLogger();
    const s = new TunnelSupervisor({
      count: 2,
      runDir: dir,
      openvpnPath: join(dir, 'no-such-openvpn'),
      timing: { pingSeconds: 1, pingRestartSeconds: 2, connectRetryMaxSeconds: 5 },
      connectTimeoutMs: 60_000,
      silenceTimeoutMs: 1_500,
      backoff: { initialMs: 1_000, maxMs: 10_000 },
      proxy: undefined,
      noProxy: parseNoProxy([]),
      clock: new FakeClock(),
      random: () => 0.5,
      logger,
    });
    const seen: TunnelView[] = [];
    s.on('tunnel', (v) => seen.push(v));
    return { s, entries, seen };
  }

  it('runs one tunnel per different gateway and reports their views', async () => {
    identity.gateways = [gw('gw1', '192.0.2.1'), gw('gw2', '192.0.2.2'), gw('gw3', '192.0.2.3')];
    const { s, seen } = supervisor();
    s.start(() => identity);
    // The configuration is written (real files), then openvpn fails to start.
    await waitFor(
      'both tunnels down',
      () => s.views().length === 2 && s.views().every((v) => v.pid === undefined && v.lastError),
      5_000,
    );
    expect(s.views().map((v) => [v.name, v.gateway, v.controlUrl])).toEqual([
      ['t1', 'gw1', 'http://10.231.0.1:8900/gw1'],
      ['t2', 'gw2', 'http://10.231.0.1:8900/gw2'],
    ]);
    expect(seen.some((v) => v.name === 't1' && v.phase === 'down')).toBe(true);
    expect(s.views().map((v) => v.lastError)).toEqual([
      expect.stringContaining('cannot run'),
      expect.stringContaining('cannot run'),
    ]);
    await s.stop();
    expect(s.views().map((v) => v.phase)).toEqual(['stopped', 'stopped']);
  });

  it('with a single gateway: one tunnel and a loud warning, once', async () => {
    identity.gateways = [gw('gw1', '192.0.2.1')];
    const { s, entries } = supervisor();
    s.start(() => identity);
    await s.refresh();
    await flush();
    expect(s.views().map((v) => v.name)).toEqual(['t1']);
    const warnings = entries().filter((e) => String(e.msg).includes('WITHOUT REDUNDANCY'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', region: 'local', wanted: 2, gateways: 1 });
    await s.stop();
  });

  it('follows a changed gateway list: keeps what is unchanged, replaces the rest', async () => {
    identity.gateways = [gw('gw1', '192.0.2.1')];
    const { s, seen } = supervisor();
    s.start(() => identity);
    await flush();
    const t1 = s.tunnel('t1');
    identity = { ...identity, gateways: [gw('gw1', '192.0.2.1'), gw('gw2', '192.0.2.2')] };
    await s.refresh();
    await flush();
    expect(s.tunnel('t1')).toBe(t1);
    expect(s.views().map((v) => v.gateway)).toEqual(['gw1', 'gw2']);
    identity = { ...identity, gateways: [gw('gw9', '192.0.2.9'), gw('gw2', '192.0.2.2')] };
    await s.refresh();
    await flush();
    expect(s.tunnel('t1')).not.toBe(t1);
    expect(s.views().map((v) => v.gateway)).toEqual(['gw9', 'gw2']);
    // The replaced tunnel's own "stopped" is not reported as t1's state.
    const lastT1 = seen.filter((v) => v.name === 't1').at(-1);
    expect(lastT1?.gateway).toBe('gw9');
    await s.stop();
  });
});

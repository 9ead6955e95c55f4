import { FakeClock } from '@pa-connector/test-support';
import type { TunnelView } from '../../../src/edge/tunnel-view';
import { CertificateRoll, type RollingTunnel } from '../../../src/supervisor/certificate-roll';
import { captureLogger } from '../../support/capture-logger';

/**
 * A tunnel as the roll sees it: `reload` ends its openvpn; the test says when the new one runs
 * (`comeBack`), which certificate it picked up (the current one) and when it carries users.
 */
class FakeTunnel implements RollingTunnel {
  view: TunnelView;
  certificateInUse: string | undefined;
  carrying = true;
  reloads = 0;
  #pid: number;

  constructor(
    readonly name: string,
    certificate: string,
    pid: number,
    private readonly current: () => string,
    private readonly events: string[],
  ) {
    this.#pid = pid;
    this.certificateInUse = certificate;
    this.view = { name, phase: 'connected', pid } as TunnelView;
  }

  reload(): boolean {
    if (this.certificateInUse === undefined) return false;
    this.reloads++;
    this.events.push(`reload ${this.name}`);
    this.certificateInUse = undefined;
    this.carrying = false;
    this.view = { ...this.view, phase: 'reconnecting', pid: undefined } as TunnelView;
    return true;
  }

  /**
   * The new openvpn runs (with the certificate current now): `up` once connected, `carrying`
   * once users can come through it.
   */
  comeBack(up = true, carrying = up): void {
    this.certificateInUse = this.current();
    this.view = {
      ...this.view,
      phase: up ? 'connected' : 'connecting',
      pid: ++this.#pid,
    } as TunnelView;
    this.carrying = carrying;
    if (up) this.events.push(`up ${this.name}`);
  }

  /** The connection dropped; openvpn keeps running (and trying). */
  down(): void {
    this.view = { ...this.view, phase: 'reconnecting' } as TunnelView;
    this.carrying = false;
  }
}

function setup() {
  const clock = new FakeClock();
  const events: string[] = [];
  let cert = 'cert-1';
  const current = () => cert;
  const t1 = new FakeTunnel('t1', 'cert-1', 100, current, events);
  const t2 = new FakeTunnel('t2', 'cert-1', 200, current, events);
  const { logger, entries } = captureLogger();
  const of = (v: TunnelView) => (v.name === 't1' ? t1 : t2);
  /** What drain() does before it resolves (default: nothing). */
  let duringDrain: (t: FakeTunnel) => Promise<void> = async () => undefined;
  const roll = new CertificateRoll({
    tunnels: () => [t1, t2],
    certificate: current,
    users: {
      carrying: (v) => of(v).carrying,
      drain: async (v) => {
        events.push(`drain ${v.name}`);
        await duringDrain(of(v));
      },
      undrain: (v) => {
        events.push(`undrain ${v.name}`);
      },
    },
    deadlineMs: 10_000,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    clock,
    random: () => 0.5,
    logger,
    pollMs: 100,
  });
  return {
    clock,
    events,
    t1,
    t2,
    roll,
    entries,
    renew: (c: string) => {
      cert = c;
    },
    onDrain: (f: (t: FakeTunnel) => Promise<void>) => {
      duringDrain = f;
    },
  };
}

describe('certificate roll (fake clock)', () => {
  it('does nothing while every tunnel runs the current certificate', async () => {
    const { roll, events } = setup();
    await expect(roll.request()).resolves.toBe('done');
    expect(events).toEqual([]);
  });

  it('restarts one tunnel, waits until it carries users again, then the other', async () => {
    const { clock, roll, events, t1, t2, renew } = setup();
    renew('cert-2');
    const done = roll.request();
    await clock.advance(3_000);
    // t2 is left alone while t1 is not back.
    expect(events).toEqual(['drain t1', 'reload t1']);
    t1.comeBack(false);
    await clock.advance(1_000);
    expect(events).toEqual(['drain t1', 'reload t1']);
    t1.comeBack(true);
    await clock.advance(200);
    expect(events).toEqual(['drain t1', 'reload t1', 'up t1', 'drain t2', 'reload t2']);
    t2.comeBack();
    await clock.advance(200);
    await expect(done).resolves.toBe('done');
    expect([t1.certificateInUse, t2.certificateInUse]).toEqual(['cert-2', 'cert-2']);
  });

  it('a tunnel that does not come back by the deadline pauses the roll; the other is never touched while it is down', async () => {
    const { clock, roll, events, t1, t2, renew, entries } = setup();
    renew('cert-2');
    const first = roll.request();
    await clock.advance(10_000);
    await expect(first).resolves.toBe('paused');
    expect(entries().some((e) => /not back within the deadline/.test(String(e.msg)))).toBe(true);
    // Retries after backoff find t1 still down: t2 keeps its (old) certificate and users.
    await clock.advance(30_000);
    expect(events).toEqual(['drain t1', 'reload t1']);
    expect(t2.reloads).toBe(0);
    t1.comeBack(true);
    // The next retry (backoff capped at 8 s) moves t2.
    await clock.advance(8_000);
    expect(events).toEqual(['drain t1', 'reload t1', 'up t1', 'drain t2', 'reload t2']);
    t2.comeBack();
    await clock.advance(200);
    expect(t2.certificateInUse).toBe('cert-2');
  });

  it('a tunnel that is down moves at once, without waiting; the one carrying users waits for it', async () => {
    const { clock, roll, events, t1, t2, renew } = setup();
    t2.down();
    renew('cert-2');
    const done = roll.request();
    await clock.advance(0);
    expect(events).toEqual(['reload t2']);
    t2.comeBack(false);
    await clock.advance(200);
    await expect(done).resolves.toBe('paused');
    expect(t1.reloads).toBe(0);
    t2.comeBack(true);
    await clock.advance(8_000);
    expect(events).toEqual(['reload t2', 'up t2', 'drain t1', 'reload t1']);
  });

  it('a tunnel that is up but carries nobody moves while the others are up, without a drain', async () => {
    const { clock, roll, events, t1, t2, renew } = setup();
    t1.carrying = false;
    t2.carrying = false;
    renew('cert-2');
    const done = roll.request();
    await clock.advance(0);
    expect(events).toEqual(['reload t1']);
    // Back once connected: nothing to wait for beyond that.
    t1.comeBack(true, false);
    await clock.advance(200);
    expect(events).toEqual(['reload t1', 'up t1', 'reload t2']);
    t2.comeBack(true, false);
    await clock.advance(200);
    await expect(done).resolves.toBe('done');
  });

  it('never restarts an up tunnel while another is down', async () => {
    const { clock, roll, events, t1, t2, renew } = setup();
    t1.carrying = false;
    t2.down();
    t2.certificateInUse = 'cert-2';
    renew('cert-2');
    await expect(roll.request()).resolves.toBe('paused');
    await clock.advance(30_000);
    expect(events).toEqual([]);
    t2.comeBack(true, false);
    await clock.advance(8_000);
    expect(events).toEqual(['up t2', 'reload t1']);
  });

  it('a renewal during a roll joins it: every tunnel ends on the newest certificate', async () => {
    const { clock, roll, events, t1, t2, renew } = setup();
    renew('cert-2');
    const first = roll.request();
    await clock.advance(100);
    t1.comeBack();
    await clock.advance(200);
    expect(events).toEqual(['drain t1', 'reload t1', 'up t1', 'drain t2', 'reload t2']);
    renew('cert-3');
    // Coalesced: the same roll, not a second one beside it.
    expect(roll.request()).toBe(first);
    t2.comeBack();
    await clock.advance(200);
    expect(events.slice(5)).toEqual(['up t2', 'drain t1', 'reload t1']);
    t1.comeBack();
    await clock.advance(200);
    await expect(first).resolves.toBe('done');
    expect([t1.certificateInUse, t2.certificateInUse]).toEqual(['cert-3', 'cert-3']);
  });

  it('stop() ends a roll in progress and cancels its retries', async () => {
    const { clock, roll, events, renew } = setup();
    renew('cert-2');
    const done = roll.request();
    await clock.advance(1_000);
    await roll.stop();
    await expect(done).resolves.toBe('stopped');
    await clock.advance(60_000);
    expect(events).toEqual(['drain t1', 'reload t1']);
    expect(clock.pending()).toEqual([]);
    await expect(roll.request()).resolves.toBe('stopped');
  });

  it('drains a tunnel before restarting it; if the other goes down meanwhile, undrains and waits', async () => {
    const { clock, roll, events, t1, t2, renew, onDrain } = setup();
    onDrain(async () => {
      t2.carrying = false;
    });
    renew('cert-2');
    await expect(roll.request()).resolves.toBe('paused');
    expect(events).toEqual(['drain t1', 'undrain t1']);
    expect(t1.reloads).toBe(0);
    onDrain(async () => undefined);
    t2.carrying = true;
    await clock.advance(1_000);
    expect(events.slice(2)).toEqual(['drain t1', 'reload t1']);
  });
});

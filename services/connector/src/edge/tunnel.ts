import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmod, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readLines, removeSecretLeftovers, writeSecretFile } from '@pa-connector/config';
import type { Logger } from '@pa-connector/logger';
import { ManagementClient } from '@pa-connector/openvpn-manager-client';
import type { BackoffPolicy } from '@pa-connector/service-runtime';
import type { Gateway } from '@pa-connector/sse-api';
import { type Clock, managementTimers, type Random, sleep, type TimerHandle } from '../clock';
import type { Identity } from '../identity/identity';
import { certificateRefusal } from './certificate-refusal';
import { endLeftover } from './leftover';
import { ManagementProbe } from './management-probe';
import {
  buildClientConfig,
  remoteOf,
  TunnelConfigError,
  type TunnelTiming,
} from './openvpn-config';
import { privateDir } from './run-dir';
import { SilenceDetector } from './silence-detector';
import { describeShortfall, socketBufferShortfall } from './socket-buffers';
import { initialView, nextView, type TunnelEvent, type TunnelView } from './tunnel-view';
import { Watchdog } from './watchdog';

/** An HTTP proxy for the tunnel's TCP connection; the credentials go to a 0600 file. */
export interface TunnelProxySettings {
  host: string;
  port: number;
  credentials?: { user: string; password: string };
}

export interface TunnelOptions {
  /** `t1`, `t2`, ... */
  name: string;
  gateway: Gateway;
  /** The identity in use at each (re)start: a renewed certificate is picked up then. */
  identity: () => Identity;
  /** This tunnel's own directory (0700): configuration, management socket, proxy credentials. */
  dir: string;
  /** tun device name (unique per tunnel, at most 15 characters). */
  device: string;
  openvpnPath: string;
  timing: TunnelTiming;
  proxy?: TunnelProxySettings;
  /** Longest time connecting before openvpn is restarted. */
  connectTimeoutMs: number;
  /**
   * Nothing received from the gateway for this long while connected: reconnect at once instead
   * of waiting for OpenVPN's ping-restart. 0 leaves it to ping-restart.
   */
  silenceTimeoutMs: number;
  /** How often the byte counter is read for that (default 250 ms). */
  silencePollMs?: number;
  /** How often openvpn's management interface is asked whether it still answers (default 2 s). */
  managementProbeIntervalMs?: number;
  /**
   * How long openvpn may take to answer it (default 5 s): a process that does not answer (frozen,
   * stopped) is killed and started again.
   */
  managementTimeoutMs?: number;
  /** Backoff between starts of openvpn after it ended. */
  backoff: BackoffPolicy;
  clock: Clock;
  random: Random;
  logger: Logger;
}

const CONFIG_FILE = 'openvpn.conf';
const SOCKET_FILE = 'management.sock';
const PID_FILE = 'openvpn.pid';
const PROXY_AUTH_FILE = 'proxy-auth';
/** How long openvpn gets to open its management socket, and to exit on SIGTERM. */
const SOCKET_WAIT_MS = 10_000;
export const STOP_GRACE_MS = 5_000;
const TAIL_LINES = 20;
const SILENCE_POLL_MS = 250;
const TRANSPORT_READ_BYTES = 'TCP/UDP read bytes';
const MANAGEMENT_PROBE_INTERVAL_MS = 2_000;
const MANAGEMENT_TIMEOUT_MS = 5_000;

/**
 * One tunnel: one `openvpn` client process and its management connection. The process starts
 * held (`management-hold`); the tunnel releases the hold after the wait OpenVPN asks for (so
 * OpenVPN's own connect-retry backoff is kept), follows `>STATE`, `>BYTECOUNT` and `>LOG`, and
 * derives its view from them (`nextView`). The watchdog starts openvpn again when it ends and
 * restarts it when connecting takes too long. Emits `change` with every new view.
 */
export class Tunnel extends EventEmitter<{ change: [TunnelView] }> {
  readonly #o: TunnelOptions;
  readonly #log: Logger;
  readonly #watchdog: Watchdog;
  #view: TunnelView;
  #child: ChildProcess | undefined;
  #mgmt: ManagementClient | undefined;
  #holdTimer: TimerHandle | undefined;
  #silenceTimer: TimerHandle | undefined;
  #probe: ManagementProbe | undefined;
  #stopping = false;
  /** The running openvpn was ended to start again at once (a new certificate), not failed. */
  #reloading = false;
  /** The client certificate the running openvpn was started with. */
  #certificate: string | undefined;
  #started = false;
  /** Why the tunnel itself ended the current openvpn (shown instead of its exit status). */
  #endReason: string | undefined;
  /** The latest certificate refusal logged, so each is logged once. */
  #refusal: string | undefined;
  /** Why the connector restarted a silent connection (until it is up again). */
  #silence: string | undefined;
  #tail: string[] = [];
  /** The kernel's cut of the socket buffers was logged (once per tunnel). */
  #bufferWarned = false;
  readonly #bytes = { baseIn: 0, baseOut: 0, rawIn: 0, rawOut: 0 };

  constructor(o: TunnelOptions) {
    super();
    this.#o = o;
    this.#log = o.logger.child({ tunnel: o.name, gateway: o.gateway.name });
    this.#view = initialView({
      name: o.name,
      gateway: o.gateway.name,
      remote: remoteOf(o.gateway),
      device: o.device,
      ...(o.gateway.controlUrl ? { controlUrl: o.gateway.controlUrl } : {}),
      now: new Date(o.clock.now()),
    });
    this.#watchdog = new Watchdog({
      clock: o.clock,
      random: o.random,
      backoff: o.backoff,
      connectTimeoutMs: o.connectTimeoutMs,
      start: () => void this.#spawn(),
      stuck: (ms) =>
        this.#end(`not connected after ${Math.round(ms / 1000)} s; restarting openvpn`),
    });
  }

  get name(): string {
    return this.#o.name;
  }

  get gateway(): Gateway {
    return this.#o.gateway;
  }

  get view(): TunnelView {
    return this.#view;
  }

  get managementSocket(): string {
    return join(this.#o.dir, SOCKET_FILE);
  }

  /**
   * The client certificate (PEM) of the running openvpn; undefined while none runs (the next
   * start reads the identity afresh).
   */
  get certificateInUse(): string | undefined {
    return this.#child ? this.#certificate : undefined;
  }

  /**
   * Ends the running openvpn and starts it again at once, with configuration files written
   * afresh from the identity (openvpn reads its certificate only when it starts). Not a failure:
   * no backoff. Returns false when no openvpn runs (the next start picks the identity up anyway).
   */
  reload(reason: string): boolean {
    if (this.#stopping || !this.#child) return false;
    this.#reloading = true;
    this.#end(reason);
    return true;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#spawn();
  }

  /** Ends openvpn (SIGTERM, SIGKILL after a grace period) and removes the files holding secrets. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#watchdog.stop();
    this.#holdTimer?.cancel();
    this.#stopWatchingSilence();
    this.#probe?.stop();
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = this.#o.clock.setTimer(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      timer.cancel();
    }
    await this.#mgmt?.close().catch(() => undefined);
    this.#apply({ type: 'stopped' });
    await this.#removeSecrets();
    this.#log.info('tunnel stopped');
  }

  #apply(e: TunnelEvent): void {
    const next = nextView(this.#view, e, new Date(this.#o.clock.now()));
    if (next === this.#view) return;
    const before = this.#view;
    this.#view = next;
    if (before.phase !== next.phase) {
      this.#log.info(
        {
          phase: next.phase,
          from: before.phase,
          ...(next.localAddress ? { localAddress: next.localAddress } : {}),
          ...(next.phase !== 'connected' && next.lastError ? { reason: next.lastError } : {}),
        },
        `tunnel ${next.phase}`,
      );
    }
    this.emit('change', next);
  }

  async #spawn(): Promise<void> {
    if (this.#stopping || this.#child) return;
    const o = this.#o;
    const configPath = join(o.dir, CONFIG_FILE);
    let certificate: string;
    try {
      certificate = await this.#writeFiles(configPath);
    } catch (err) {
      if (err instanceof TunnelConfigError) {
        // Nothing a restart could fix: say so once and stay down.
        this.#log.error({ reason: err.message }, 'tunnel cannot start: invalid configuration');
        this.#apply({ type: 'exited', reason: err.message });
        return;
      }
      const reason = `cannot write the tunnel configuration: ${(err as Error).message}`;
      this.#log.error({ reason }, 'tunnel cannot start');
      this.#apply({ type: 'exited', reason });
      this.#watchdog.exited();
      return;
    }
    // A connector that died without stopping may have left its openvpn holding the tun device.
    const leftover = await endLeftover(join(o.dir, PID_FILE), configPath, o.clock, STOP_GRACE_MS);
    if (leftover !== undefined) {
      this.#log.warn(
        { pid: leftover },
        'ended the openvpn an earlier connector process left running',
      );
    }
    if (this.#stopping) return;
    this.#endReason = undefined;
    this.#tail = [];
    this.#bytes.baseIn += this.#bytes.rawIn;
    this.#bytes.baseOut += this.#bytes.rawOut;
    this.#bytes.rawIn = 0;
    this.#bytes.rawOut = 0;
    // Only the path: the configuration (with the key) never appears in argv.
    const child = spawn(o.openvpnPath, ['--config', configPath], {
      cwd: o.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#certificate = certificate;
    let ended = false;
    const onEnd = (reason: string) => {
      if (ended) return;
      ended = true;
      this.#onExit(child, reason);
    };
    child.once('error', (err) => onEnd(`cannot run ${o.openvpnPath}: ${err.message}`));
    child.once('exit', (code, signal) =>
      onEnd(signal ? `openvpn ended by ${signal}` : `openvpn exited with code ${code}`),
    );
    const onLine = (line: string) => {
      this.#tail.push(line);
      if (this.#tail.length > TAIL_LINES) this.#tail.shift();
    };
    if (child.stdout) readLines(child.stdout, onLine);
    if (child.stderr) readLines(child.stderr, onLine);
    if (child.pid === undefined) return;
    this.#log.debug({ pid: child.pid }, 'openvpn started');
    this.#apply({ type: 'spawned', pid: child.pid });
    this.#watchdog.connecting();
    try {
      await this.#attach(child);
    } catch (err) {
      if (this.#child === child && !this.#stopping) {
        this.#end(`management interface unusable: ${(err as Error).message}`);
      }
    }
  }

  /** Writes the configuration (and proxy credentials); returns the client certificate in it. */
  async #writeFiles(configPath: string): Promise<string> {
    const o = this.#o;
    const identity = o.identity();
    if (!identity.tunnel) {
      throw new TunnelConfigError(
        'the registration carried no tunnel settings (tls-crypt key, cipher); enroll against an SSE with gateways',
      );
    }
    await privateDir(o.dir);
    await rm(this.managementSocket, { force: true });
    let authFile: string | undefined;
    if (o.proxy?.credentials) {
      authFile = join(o.dir, PROXY_AUTH_FILE);
      const { user, password } = o.proxy.credentials;
      await writeSecretFile(authFile, `${user}\n${password}\n`);
    }
    const text = buildClientConfig({
      gateway: o.gateway,
      device: o.device,
      certificatePem: identity.certificatePem,
      caChainPems: identity.caChainPems,
      privateKeyPem: identity.privateKeyPem,
      tlsCryptKey: identity.tunnel.tlsCryptKey,
      cipher: identity.tunnel.cipher,
      managementSocket: this.managementSocket,
      pidFile: join(o.dir, PID_FILE),
      timing: o.timing,
      ...(o.proxy
        ? { proxy: { host: o.proxy.host, port: o.proxy.port, ...(authFile ? { authFile } : {}) } }
        : {}),
    });
    await writeSecretFile(configPath, text);
    return identity.certificatePem;
  }

  /** Connects to the management socket, turns on the event streams, then handles holds. */
  async #attach(child: ChildProcess): Promise<void> {
    const clock = this.#o.clock;
    const deadline = clock.now() + SOCKET_WAIT_MS;
    for (;;) {
      if (this.#child !== child || this.#stopping) return;
      const found = await stat(this.managementSocket).then(
        (s) => s.isSocket(),
        () => false,
      );
      if (found) break;
      if (clock.now() > deadline)
        throw new Error(`no management socket after ${SOCKET_WAIT_MS} ms`);
      await sleep(clock, 25);
    }
    // The directory is 0700 already; the socket itself is made owner-only too.
    await chmod(this.managementSocket, 0o600);
    const mgmt = new ManagementClient({
      path: this.managementSocket,
      commandTimeoutMs: 5_000,
      connectTimeoutMs: 5_000,
      timers: managementTimers(this.#o.clock),
    });
    this.#mgmt = mgmt;
    let ready = false;
    let pendingHold: number | undefined;
    const scheduleRelease = (waitSeconds: number) => {
      this.#holdTimer?.cancel();
      // Waiting what OpenVPN asks keeps its connect-retry backoff (releasing at once would not).
      this.#holdTimer = clock.setTimer(() => {
        this.#holdTimer = undefined;
        this.#log.debug({ waitSeconds }, 'releasing the openvpn hold');
        mgmt.holdRelease().catch((err: unknown) => {
          if (this.#mgmt === mgmt && !this.#stopping) {
            this.#log.warn({ reason: (err as Error).message }, 'hold release failed');
          }
        });
      }, waitSeconds * 1000);
    };
    mgmt.on('hold', ({ waitSeconds }) => {
      if (ready) scheduleRelease(waitSeconds);
      else pendingHold = waitSeconds;
    });
    mgmt.on('state', (s) => this.#onState(s.state, s.description, s.localIp));
    mgmt.on('bytecount', ({ bytesIn, bytesOut }) => this.#onBytes(bytesIn, bytesOut));
    mgmt.on('log', (l) => this.#onLog(l.flags, l.message));
    mgmt.on('fatal', ({ message }) => {
      this.#log.error({ reason: message }, 'openvpn reported a fatal error');
      this.#apply({ type: 'error', reason: `openvpn fatal: ${message}` });
    });
    mgmt.on('close', ({ reason }) => {
      if (this.#mgmt !== mgmt || this.#stopping) return;
      this.#mgmt = undefined;
      // Usually openvpn is exiting; give its exit a moment to arrive before ending it ourselves.
      clock.setTimer(() => {
        if (this.#child === child && child.exitCode === null && child.signalCode === null) {
          this.#end(`management connection closed (${reason})`);
        }
      }, 1_000);
    });
    await mgmt.connect();
    // Queued together, in order, before any hold release.
    const [, history] = await Promise.all([mgmt.log('on'), mgmt.stateOnAll(), mgmt.bytecount(1)]);
    const last = history.at(-1);
    if (last) this.#onState(last.state, last.description, last.localIp);
    ready = true;
    if (pendingHold !== undefined) scheduleRelease(pendingHold);
    this.#watchManagement(child, mgmt);
  }

  /**
   * Keeps asking the management interface a cheap question (`pid`); an openvpn that stops
   * answering is frozen (SIGSTOP, a deadlock): it holds its tun device and never exits, so it is
   * killed outright (SIGKILL works on a stopped process, SIGTERM would wait for it to resume) and
   * the watchdog starts a new one with the usual backoff.
   */
  #watchManagement(child: ChildProcess, mgmt: ManagementClient): void {
    const o = this.#o;
    this.#probe?.stop();
    const timeoutMs = o.managementTimeoutMs ?? MANAGEMENT_TIMEOUT_MS;
    const probe = new ManagementProbe({
      clock: o.clock,
      intervalMs: o.managementProbeIntervalMs ?? MANAGEMENT_PROBE_INTERVAL_MS,
      timeoutMs,
      // The client's own timeout is longer, so our deadline decides.
      ask: () => mgmt.command('pid', 'success', { timeoutMs: timeoutMs * 2 }),
      unanswered: (reason) => {
        if (this.#child !== child || this.#stopping) return;
        this.#kill(child, `openvpn is frozen: ${reason}`);
      },
    });
    this.#probe = probe;
    probe.start();
  }

  /** Kills an openvpn that cannot be asked to end (frozen); the exit handler restarts it. */
  #kill(child: ChildProcess, reason: string): void {
    this.#endReason = reason;
    this.#log.error({ reason, pid: child.pid }, 'killing openvpn');
    this.#stopWatchingSilence();
    this.#apply({ type: 'error', reason });
    child.kill('SIGKILL');
  }

  #onState(state: string, description: string, localIp: string | undefined): void {
    if (this.#stopping) return;
    this.#apply({
      type: 'openvpn-state',
      state,
      description,
      ...(localIp ? { localIp } : {}),
    });
    if (state === 'CONNECTED') {
      this.#watchdog.connected();
      this.#refusal = undefined;
      this.#silence = undefined;
      this.#watchSilence();
    } else {
      this.#stopWatchingSilence();
      this.#watchdog.connecting();
      // OpenVPN's own reason (tls-error, SIGUSR1) says less than the one behind it.
      const reason = this.#refusalReason() ?? this.#silence;
      if (reason) this.#apply({ type: 'error', reason });
    }
  }

  /**
   * While connected, reads the transport's byte counter every few hundred ms; when nothing has
   * come for `silenceTimeoutMs` the gateway is taken for dead and openvpn reconnects (SIGUSR1).
   */
  #watchSilence(): void {
    const o = this.#o;
    const mgmt = this.#mgmt;
    this.#stopWatchingSilence();
    if (o.silenceTimeoutMs <= 0 || !mgmt) return;
    const clock = o.clock;
    const detector = new SilenceDetector(clock.now());
    const poll = () => {
      this.#silenceTimer = undefined;
      if (this.#mgmt !== mgmt || this.#view.phase !== 'connected' || this.#stopping) return;
      mgmt.status(3).then(
        (report) => {
          if (this.#mgmt !== mgmt || this.#view.phase !== 'connected' || this.#stopping) return;
          const read = report.statistics[TRANSPORT_READ_BYTES];
          if (read !== undefined) detector.observe(read, clock.now());
          const silentMs = detector.silentFor(clock.now());
          if (silentMs >= o.silenceTimeoutMs) {
            this.#onSilent(mgmt, silentMs);
            return;
          }
          this.#silenceTimer = clock.setTimer(poll, o.silencePollMs ?? SILENCE_POLL_MS);
        },
        () => {
          // A failed read proves nothing; the management watchdog handles a dead socket.
          if (this.#mgmt === mgmt && !this.#stopping) {
            this.#silenceTimer = clock.setTimer(poll, o.silencePollMs ?? SILENCE_POLL_MS);
          }
        },
      );
    };
    this.#silenceTimer = clock.setTimer(poll, o.silencePollMs ?? SILENCE_POLL_MS);
  }

  #stopWatchingSilence(): void {
    this.#silenceTimer?.cancel();
    this.#silenceTimer = undefined;
  }

  #onSilent(mgmt: ManagementClient, silentMs: number): void {
    const reason = `nothing from the gateway for ${(silentMs / 1000).toFixed(1)} s`;
    this.#silence = reason;
    this.#log.warn({ reason }, 'gateway silent; reconnecting');
    this.#apply({ type: 'silent', reason });
    this.#watchdog.connecting();
    mgmt.signal('SIGUSR1').catch((err: unknown) => {
      if (this.#mgmt === mgmt && !this.#stopping) {
        this.#end(`could not restart the connection: ${(err as Error).message}`);
      }
    });
  }

  #onBytes(rawIn: number, rawOut: number): void {
    const b = this.#bytes;
    // OpenVPN counts from zero again after an internal restart.
    if (rawIn < b.rawIn || rawOut < b.rawOut) {
      b.baseIn += b.rawIn;
      b.baseOut += b.rawOut;
    }
    b.rawIn = rawIn;
    b.rawOut = rawOut;
    this.#apply({ type: 'bytecount', bytesIn: b.baseIn + rawIn, bytesOut: b.baseOut + rawOut });
  }

  #onLog(flags: string, message: string): void {
    // Echoes of our own commands and of >STATE say nothing new.
    if (!message.startsWith('MANAGEMENT: ')) {
      this.#log.debug({ openvpn: message, flags }, 'openvpn log');
    }
    const gw = /route-gateway (\d{1,3}(?:\.\d{1,3}){3})/.exec(message);
    if (gw?.[1]) this.#apply({ type: 'route-gateway', address: gw[1] });
    // Read until logged once: later lines need not run the pattern.
    const short = this.#bufferWarned ? undefined : socketBufferShortfall(message);
    if (short) {
      // Once per tunnel: every restart of openvpn gets the same limits.
      this.#bufferWarned = true;
      this.#log.warn(
        { receiveBytes: short.receive, sendBytes: short.send },
        `gateway ${this.#o.gateway.name}: ${describeShortfall(short)}`,
      );
    }
    const refusal = certificateRefusal(message);
    if (refusal && refusal !== this.#refusal) {
      this.#refusal = refusal;
      this.#log.error(
        { reason: refusal, serverName: this.#o.gateway.serverName, remote: this.#view.remote },
        `gateway ${this.#o.gateway.name}: its certificate was refused: ${refusal}`,
      );
      this.#apply({ type: 'error', reason: `gateway certificate refused: ${refusal}` });
    }
  }

  /** Ends the current openvpn on purpose; the exit handler restarts it. */
  #end(reason: string): void {
    const child = this.#child;
    if (!child || this.#stopping) return;
    this.#endReason = reason;
    this.#log.warn({ reason, pid: child.pid }, 'restarting openvpn');
    child.kill('SIGTERM');
    const timer = this.#o.clock.setTimer(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => timer.cancel());
  }

  #onExit(child: ChildProcess, status: string): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    this.#holdTimer?.cancel();
    this.#holdTimer = undefined;
    this.#stopWatchingSilence();
    this.#probe?.stop();
    this.#probe = undefined;
    const mgmt = this.#mgmt;
    this.#mgmt = undefined;
    void mgmt?.close().catch(() => undefined);
    if (this.#stopping) return;
    if (this.#reloading) {
      this.#reloading = false;
      const reason = this.#endReason ?? status;
      this.#log.info({ reason, status }, 'openvpn ended to start again at once');
      this.#apply({ type: 'exited', reason });
      this.#watchdog.restartNow();
      return;
    }
    const reason = this.#endReason ?? this.#refusalReason() ?? status;
    const delayMs = this.#watchdog.exited();
    this.#log.warn(
      { reason, status, delayMs, tail: this.#endReason ? undefined : this.#tail.slice(-5) },
      'openvpn ended; starting it again after a delay',
    );
    this.#apply({ type: 'exited', reason });
  }

  #refusalReason(): string | undefined {
    return this.#refusal ? `gateway certificate refused: ${this.#refusal}` : undefined;
  }

  async #removeSecrets(): Promise<void> {
    for (const name of [CONFIG_FILE, PROXY_AUTH_FILE]) {
      const path = join(this.#o.dir, name);
      await rm(path, { force: true }).catch(() => undefined);
      // An interrupted write leaves its temp file, the secrets in it, beside the file.
      await removeSecretLeftovers(path).catch(() => undefined);
    }
  }
}

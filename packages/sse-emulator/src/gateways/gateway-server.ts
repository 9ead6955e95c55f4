import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readLines, writeSecretFile } from '@pa-connector/config';
import {
  type CertificateAuthority,
  certificateInfo,
  generateKeyPair,
  keyMatchesCertificate,
  signCertificate,
  verifyChain,
} from '@pa-connector/pki';
import type { TunnelProtocol } from '@pa-connector/sse-api';
import { addressInNetwork, buildServerConfig, clientConfig } from './server-config';

export interface GatewayServerOptions {
  /** Gateway name: the server certificate's CN, which clients check with verify-x509-name. */
  name: string;
  /** Working directory (created 0700): certificates, keys, ccd/, the management socket. */
  dir: string;
  listenHost?: string;
  port: number;
  protocol: TunnelProtocol;
  tunnelNetwork: string;
  ca: CertificateAuthority;
  tlsCryptKey: string;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
  openvpn?: string;
  pingSeconds?: number;
  pingRestartSeconds?: number;
  /** Extra names for the server certificate's SAN (its hostnames or addresses). */
  altNames?: string[];
  /** Sink for the server's output lines. */
  onLine?: (line: string) => void;
  /** Called on every exit of the server process (asked for or not). */
  onExit?: (e: { pid: number | undefined; code: number | null; signal: string | null }) => void;
}

/** A kept server certificate is replaced when it has less than this left. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/**
 * One Private Access Gateway: a real `openvpn` server process. `start()` resolves once OpenVPN
 * reports "Initialization Sequence Completed"; `kill()` ends it abruptly (a dead gateway for
 * tests), `stop()` gracefully (clients are told with explicit-exit-notify on UDP).
 */
export class GatewayServer {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly tunnelAddress: string;
  readonly managementSocket: string;
  #nextHost = 2;
  readonly #assigned = new Map<string, string>();

  constructor(readonly o: GatewayServerOptions) {
    this.tunnelAddress = addressInNetwork(o.tunnelNetwork, 1);
    this.managementSocket = join(o.dir, 'management.sock');
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return (
      this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
    );
  }

  /**
   * Gives the connector with certificate CN `commonName` a fixed tunnel address (`address`, or
   * the next free one). Only CNs with a ccd/ file get in (ccd-exclusive).
   */
  async assignAddress(commonName: string, fixed?: string): Promise<string> {
    checkCommonName(commonName);
    let address = fixed ?? this.#assigned.get(commonName);
    if (!address) {
      address = addressInNetwork(this.o.tunnelNetwork, this.#nextHost++);
      this.#assigned.set(commonName, address);
    }
    await mkdir(join(this.o.dir, 'ccd'), { recursive: true, mode: 0o700 });
    this.#assigned.set(commonName, address);
    await writeFile(join(this.o.dir, 'ccd', commonName), clientConfig(address), { mode: 0o644 });
    return address;
  }

  /** Removes the connector's ccd/ file: from its next connection on, it is refused. */
  async removeClient(commonName: string): Promise<void> {
    checkCommonName(commonName);
    this.#assigned.delete(commonName);
    await rm(join(this.o.dir, 'ccd', commonName), { force: true });
  }

  async start(timeoutMs = 15_000): Promise<void> {
    if (this.running) return;
    const o = this.o;
    await mkdir(join(o.dir, 'ccd'), { recursive: true, mode: 0o700 });
    await chmod(o.dir, 0o700);
    await this.#ensureCertificate();
    await writeFile(join(o.dir, 'ca.crt'), o.ca.certPem, { mode: 0o644 });
    await writeSecretFile(join(o.dir, 'tls-crypt.key'), o.tlsCryptKey);
    const configPath = join(o.dir, 'server.conf');
    await writeSecretFile(
      configPath,
      buildServerConfig({
        listenHost: o.listenHost ?? '::',
        port: o.port,
        protocol: o.protocol,
        tunnelNetwork: o.tunnelNetwork,
        dir: o.dir,
        managementSocket: this.managementSocket,
        pingSeconds: o.pingSeconds ?? 1,
        pingRestartSeconds: o.pingRestartSeconds ?? 5,
      }),
    );
    const bin = o.openvpn ?? 'openvpn';
    const [cmd, args] = o.netns
      ? ['ip', ['netns', 'exec', o.netns, bin, '--config', configPath]]
      : [bin, ['--config', configPath]];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const tail: string[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`gateway ${o.name} did not start within ${timeoutMs}ms:\n${tail.join('\n')}`),
          ),
        timeoutMs,
      );
      const onLine = (line: string) => {
        o.onLine?.(line);
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (line.includes('Initialization Sequence Completed')) {
          clearTimeout(timer);
          resolve();
        }
      };
      if (child.stdout) readLines(child.stdout, onLine);
      if (child.stderr) readLines(child.stderr, onLine);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`gateway ${o.name}: cannot run ${cmd}: ${err.message}`, { cause: err }));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `gateway ${o.name} exited (${code ?? signal}) while starting:\n${tail.join('\n')}`,
          ),
        );
      });
    });
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        o.onExit?.({ pid: child.pid, code, signal });
        resolve();
      }),
    );
    await ready;
  }

  /**
   * The server certificate is kept in `dir` across restarts and reissued only when it is
   * missing, does not match its key, is not from this CA with the serverAuth EKU, or expires
   * within 30 days.
   */
  async #ensureCertificate(): Promise<void> {
    const o = this.o;
    const certPath = join(o.dir, 'server.crt');
    const keyPath = join(o.dir, 'server.key');
    const [certPem, keyPem] = await Promise.all([
      readFile(certPath, 'utf8').catch(() => undefined),
      readFile(keyPath, 'utf8').catch(() => undefined),
    ]);
    if (certPem && keyPem && this.#reusable(certPem, keyPem)) return;
    const keys = generateKeyPair();
    const cert = signCertificate({
      ca: o.ca,
      publicKeyPem: keys.publicKeyPem,
      commonName: o.name,
      lifetimeSeconds: 365 * 86_400,
      usage: 'server',
      altNames: [o.name, ...(o.altNames ?? [])],
    });
    await writeSecretFile(keyPath, keys.privateKeyPem);
    await writeFile(certPath, cert.certPem, { mode: 0o644 });
  }

  #reusable(certPem: string, keyPem: string): boolean {
    try {
      const info = certificateInfo(certPem);
      return (
        info.commonName === this.o.name &&
        info.notAfter.getTime() - Date.now() > RENEW_BEFORE_MS &&
        keyMatchesCertificate(keyPem, certPem) &&
        verifyChain(certPem, [this.o.ca.certPem], { usage: 'server' }).ok
      );
    } catch {
      return false;
    }
  }

  /** Graceful stop (SIGTERM; SIGKILL after `graceMs`). */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Abrupt death: SIGKILL, no exit notification to clients. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    child.kill('SIGKILL');
    await this.#exited;
  }
}

function checkCommonName(commonName: string): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(commonName) || commonName.startsWith('.')) {
    throw new Error(`unsafe common name ${JSON.stringify(commonName)}`);
  }
}

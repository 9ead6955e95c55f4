import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readLines } from '@pa-connector/config';
import { decodeEvent } from './control-helper/events';

export interface ControlEndpointOptions {
  /** The gateway's tunnel address: the endpoint is reachable only through a tunnel. */
  host: string;
  port: number;
  /** The gateway's tunnel network (`10.231.<n>.0`): the only addresses the relay dials. */
  tunnelNetwork: string;
  /** Unix socket of the ingress relay (in the gateway's 0700 working directory). */
  relayPath: string;
  /** How long the relay waits for a connection to a connector's proxy. Default 5000. */
  dialTimeoutMs?: number;
  netns?: string;
  /** One accepted `POST /health` (the helper checked its shape). */
  onHealth: (remoteAddress: string, body: Record<string, unknown>) => void;
  onLine?: (line: string) => void;
  onExit?: (e: { pid: number | undefined; code: number | null; signal: string | null }) => void;
}

const DEFAULT_RELAY_DIAL_TIMEOUT_MS = 5_000;

/**
 * The built helper (control-helper/main.ts compiled by tsc). Resolved from the package root, so
 * the same file is found whether this module runs from dist/ or, in tests, from src/.
 */
export const CONTROL_HELPER_PATH = resolve(
  __dirname,
  '..',
  '..',
  'dist',
  'gateways',
  'control-helper',
  'main.js',
);

/**
 * A gateway's control endpoint (HTTP on `<tunnel address>:<port>`). The tunnel address exists
 * only inside the gateway's network namespace, where the emulator process cannot bind; so a
 * tiny helper process is started there with `ip netns exec` and reports to the emulator over
 * its stdout. Start it after the gateway's openvpn server is up (its tun device carries the
 * address); stop it with the gateway. The same helper relays the user ingress's connections to
 * connectors' proxies on the tunnel network (see control-helper/main.ts).
 */
export class ControlEndpoint {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(readonly o: ControlEndpointOptions) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    const c = this.#child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  get relayPath(): string {
    return this.o.relayPath;
  }

  get url(): string {
    return `http://${this.o.host}:${this.o.port}`;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    if (this.running) return;
    if (!existsSync(CONTROL_HELPER_PATH)) {
      throw new Error(
        `control endpoint ${this.url}: the helper ${CONTROL_HELPER_PATH} is missing; build the emulator (tsc -b)`,
      );
    }
    const args = [
      CONTROL_HELPER_PATH,
      this.o.host,
      String(this.o.port),
      this.o.tunnelNetwork,
      this.o.relayPath,
      String(this.o.dialTimeoutMs ?? DEFAULT_RELAY_DIAL_TIMEOUT_MS),
    ];
    const [cmd, argv] = this.o.netns
      ? ['ip', ['netns', 'exec', this.o.netns, process.execPath, ...args]]
      : [process.execPath, args];
    // stdin stays open: the helper exits when it closes (the emulator went away).
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    const errors: string[] = [];
    if (child.stderr) {
      readLines(child.stderr, (line) => {
        if (!line) return;
        errors.push(line);
        this.o.onLine?.(line);
      });
    }
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.o.onExit?.({ pid: child.pid, code, signal });
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`control endpoint ${this.url} did not start within ${timeoutMs}ms`));
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`control endpoint ${this.url}: ${err.message}`, { cause: err }));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `control endpoint ${this.url} exited (${code ?? signal}): ${errors.join(' ')}`.trim(),
          ),
        );
      });
      if (!child.stdout) return;
      readLines(child.stdout, (line) => {
        const event = decodeEvent(line);
        if (event?.event === 'listening') {
          clearTimeout(timer);
          resolve();
        } else if (event?.event === 'health' && typeof event.body === 'object') {
          this.o.onHealth(String(event.remoteAddress ?? ''), event.body as Record<string, unknown>);
        } else if (line) {
          this.o.onLine?.(line);
        }
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await this.#exited;
    clearTimeout(timer);
  }
}

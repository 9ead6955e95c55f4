import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { ErrorCode, ManagementError } from '../errors';
import { ClientNotificationAssembler } from '../protocol/client-notification';
import { type EchoEntry, type LogEntry, parseEchoEntry, parseLogEntry } from '../protocol/history';
import { LineSplitter, type SplitItem } from '../protocol/line-splitter';
import { decodeNotification, splitNotification } from '../protocol/notification';
import { assertSingleLine, quoteArgument } from '../protocol/quote';
import {
  multiLineReply,
  type ReplyReader,
  type ReplyShape,
  successReply,
  successThenLinesReply,
  versionSetReply,
} from '../protocol/reply';
import { parseStateEntry, type StateEntry } from '../protocol/state';
import { parseStatus, type StatusReport } from '../protocol/status';
import { parseVersion, type VersionInfo } from '../protocol/version';
import { type Connector, netConnector } from '../transport/connect';
import { describeTarget, type ManagementTarget } from '../transport/target';
import { CommandQueue } from './command-queue';
import type { CloseEvent, CloseReason, ManagementEvents } from './events';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type ManagementClientOptions,
  type SecretSource,
} from './options';
import { systemTimers, type Timers } from './timers';

export type Signal = 'SIGHUP' | 'SIGTERM' | 'SIGUSR1' | 'SIGUSR2';
export type HistoryMode = 'on' | 'off' | 'all' | number;
export type AuthRetryMode = 'none' | 'interact' | 'nointeract';

export interface LoadStats {
  clients: number;
  bytesIn: number;
  bytesOut: number;
}

export interface CommandOptions {
  /** Overrides the client's commandTimeoutMs for this command. */
  timeoutMs?: number;
}

const SIGNALS: readonly Signal[] = ['SIGHUP', 'SIGTERM', 'SIGUSR1', 'SIGUSR2'];

type Phase = 'new' | 'connecting' | 'ready' | 'closed';

interface Handshake {
  passwordSent: boolean;
  succeed(): void;
  fail(error: ManagementError): void;
}

/**
 * A client for OpenVPN's management interface. Create it, attach listeners, then `connect()`:
 * listeners attached before connecting also see what OpenVPN sends right after its greeting
 * (such as `>HOLD`). One client serves one connection; create a new one to reconnect.
 */
export class ManagementClient extends EventEmitter<ManagementEvents> {
  readonly #target: ManagementTarget;
  readonly #password: string | SecretSource | undefined;
  readonly #commandTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #connector: Connector;
  readonly #timers: Timers;
  readonly #splitter: LineSplitter;
  readonly #queue: CommandQueue;
  readonly #clients = new ClientNotificationAssembler();
  readonly #closed: Promise<CloseEvent>;
  #resolveClosed!: (event: CloseEvent) => void;
  #phase: Phase = 'new';
  #socket: Duplex | undefined;
  #socketError: Error | undefined;
  #handshake: Handshake | undefined;
  #quitting = false;
  #greeting: string | undefined;

  constructor(options: ManagementClientOptions) {
    super();
    this.#target =
      'path' in options ? { path: options.path } : { host: options.host, port: options.port };
    this.#password = options.password;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#connector = options.connector ?? netConnector;
    this.#timers = options.timers ?? systemTimers;
    this.#splitter = new LineSplitter({ maxLineLength: options.maxLineLength });
    this.#queue = new CommandQueue({
      write: (text) => this.#write(text),
      timers: this.#timers,
      onLateReply: (reply) => this.#emit('lateReply', reply),
    });
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** True between a successful connect() and the end of the connection. */
  get connected(): boolean {
    return this.#phase === 'ready';
  }

  /** OpenVPN's greeting (`OpenVPN Management Interface Version 5 -- ...`) once connected. */
  get greeting(): string | undefined {
    return this.#greeting;
  }

  /** Commands queued or awaiting a reply. */
  get pendingCommands(): number {
    return this.#queue.size;
  }

  /** Resolves when the connection has ended, however it ended. */
  whenClosed(): Promise<CloseEvent> {
    return this.#closed;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Opens the socket, answers the password prompt (TCP with a password file) and waits for
   * OpenVPN's `>INFO:` greeting. OpenVPN serves one management client at a time: while another
   * is connected, no greeting comes and this fails with ERR_CONNECT after connectTimeoutMs.
   */
  connect(): Promise<void> {
    if (this.#phase !== 'new') {
      return Promise.reject(
        new ManagementError(
          ErrorCode.InvalidArgument,
          'connect() was already called on this client; create a new client to reconnect',
        ),
      );
    }
    if (this.#password !== undefined) {
      try {
        assertSingleLine(this.#revealPassword() ?? '', 'the management password');
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.#phase = 'connecting';
    const where = describeTarget(this.#target);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = this.#timers.setTimeout(() => {
        this.#terminate(
          'error',
          new ManagementError(
            ErrorCode.Connect,
            `no greeting from OpenVPN at ${where} within ${this.#connectTimeoutMs} ms ` +
              '(OpenVPN serves one management client at a time: is another one connected?)',
          ),
        );
      }, this.#connectTimeoutMs);
      this.#handshake = {
        passwordSent: false,
        succeed: () => {
          if (settled) return;
          settled = true;
          this.#timers.clearTimeout(timer);
          this.#handshake = undefined;
          this.#phase = 'ready';
          resolve();
        },
        fail: (error) => {
          if (settled) return;
          settled = true;
          this.#timers.clearTimeout(timer);
          this.#handshake = undefined;
          reject(error);
        },
      };
      this.#connector(this.#target).then(
        (socket) => {
          if (this.#phase === 'closed') {
            socket.destroy();
            return;
          }
          this.#attach(socket);
        },
        (cause: unknown) => {
          const detail = cause instanceof Error ? cause.message : String(cause);
          this.#terminate(
            'error',
            new ManagementError(ErrorCode.Connect, `cannot connect to ${where}: ${detail}`, {
              cause,
            }),
          );
        },
      );
    });
  }

  /** Closes the connection at once. Pending commands are rejected with ERR_CLOSED. */
  async close(): Promise<void> {
    this.#terminate('client-closed', undefined);
  }

  /**
   * Ends the session politely (`quit`): OpenVPN closes the connection and goes on running,
   * listening for the next management client. Resolves once the connection has closed.
   */
  async quit(options: CommandOptions = {}): Promise<void> {
    if (this.#phase !== 'ready') return;
    this.#quitting = true;
    await this.#run('quit\n', 'quit', undefined, options.timeoutMs);
    const timeoutMs = options.timeoutMs ?? this.#commandTimeoutMs;
    let timer: unknown;
    const timedOut = new Promise<void>((resolve) => {
      timer = this.#timers.setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.#closed, timedOut]);
    this.#timers.clearTimeout(timer);
    this.#terminate('quit', undefined);
  }

  /** Same as quit(): `exit` and `quit` are one command. */
  exit(options: CommandOptions = {}): Promise<void> {
    return this.quit(options);
  }

  // ---------------------------------------------------------------- raw command

  /**
   * Sends any single-line command. `expect` says how OpenVPN answers it: `success` (one
   * `SUCCESS:`/`ERROR:` line; resolves to the text after `SUCCESS:`), `multiline` (lines up to
   * `END`; resolves to them), or `none` (no answer; resolves once written). Replies are matched
   * to commands by order, so `expect` must match what OpenVPN really sends (management-notes.txt):
   * a wrong one hands replies to the wrong commands. The line must not contain a line break.
   */
  command(line: string, expect: 'success', options?: CommandOptions): Promise<string>;
  command(line: string, expect: 'multiline', options?: CommandOptions): Promise<string[]>;
  command(line: string, expect: 'none', options?: CommandOptions): Promise<void>;
  command(line: string, expect: ReplyShape, options: CommandOptions = {}): Promise<unknown> {
    try {
      assertSingleLine(line, 'the command');
      if (line.trim() === '') {
        // OpenVPN answers an empty line with nothing, which would stall the reply order.
        throw new ManagementError(ErrorCode.InvalidArgument, 'the command is empty');
      }
    } catch (error) {
      return Promise.reject(error);
    }
    // Only the verb: the rest may be a password.
    const label = line.trim().split(/\s+/)[0] ?? '';
    const reply: ReplyReader<string | string[]> | undefined =
      expect === 'success'
        ? successReply(label)
        : expect === 'multiline'
          ? multiLineReply(label)
          : undefined;
    return this.#run(`${line}\n`, label, reply, options.timeoutMs);
  }

  // ---------------------------------------------------------------- information

  /** `version`: OpenVPN's title and management interface version. */
  async version(): Promise<VersionInfo> {
    return parseVersion(await this.#lines('version'));
  }

  /**
   * `version N`: tells OpenVPN which management version this client speaks (it changes e.g. the
   * >PK_SIGN format). Followed by `pid` because OpenVPN 2.6 does not answer it.
   */
  async setClientVersion(version: number): Promise<void> {
    const n = integer(version, 'version', 1);
    await this.#run(`version ${n}\npid\n`, `version ${n}`, versionSetReply(`version ${n}`));
  }

  /** `pid`: the process id of the OpenVPN daemon. */
  async pid(): Promise<number> {
    const text = await this.#success('pid');
    const m = /^pid=(\d+)$/.exec(text);
    if (!m) throw protocolError('pid', text);
    return Number(m[1]);
  }

  /**
   * `status N`: parsed. Format 3 (tab-separated) by default. Not available while OpenVPN is
   * held before its first connection attempt (ERR_MGMT_ERROR).
   */
  async status(format: 1 | 2 | 3 = 3): Promise<StatusReport> {
    if (format !== 1 && format !== 2 && format !== 3) {
      throw new ManagementError(ErrorCode.InvalidArgument, 'status format must be 1, 2 or 3');
    }
    return parseStatus(await this.#lines(`status ${format}`));
  }

  /** `load-stats`: number of clients and bytes in/out, over all clients. */
  async loadStats(): Promise<LoadStats> {
    const text = await this.#success('load-stats');
    const m = /^nclients=(\d+),bytesin=(\d+),bytesout=(\d+)$/.exec(text);
    if (!m) throw protocolError('load-stats', text);
    return { clients: Number(m[1]), bytesIn: Number(m[2]), bytesOut: Number(m[3]) };
  }

  // ---------------------------------------------------------------- state, log, echo

  /**
   * `state`: without argument, the current state; `on`/`off` switch `state` events;
   * `all` or N return the history (oldest first).
   */
  state(): Promise<StateEntry | undefined>;
  state(mode: 'on' | 'off'): Promise<void>;
  state(mode: 'all' | number): Promise<StateEntry[]>;
  async state(mode?: HistoryMode): Promise<unknown> {
    if (mode === undefined) {
      const entries = (await this.#lines('state')).map((l) => parseOrThrow(parseStateEntry, l));
      return entries[entries.length - 1];
    }
    return this.#history('state', mode, parseStateEntry);
  }

  /** `state all`: the state history, oldest first. */
  stateAll(): Promise<StateEntry[]> {
    return this.state('all');
  }

  /** `state on all`: atomically enables `state` events and returns the history so far. */
  async stateOnAll(): Promise<StateEntry[]> {
    return (await this.#successThenLines('state on all')).map((l) =>
      parseOrThrow(parseStateEntry, l),
    );
  }

  /** `log on|off|all|N`: switch `log` events, or return cached log lines (oldest first). */
  log(mode: 'on' | 'off'): Promise<void>;
  log(mode: 'all' | number): Promise<LogEntry[]>;
  log(mode: HistoryMode): Promise<unknown> {
    return this.#history('log', mode, parseLogEntry);
  }

  /** `log on all`: atomically enables `log` events and returns the cached lines. */
  async logOnAll(): Promise<LogEntry[]> {
    return (await this.#successThenLines('log on all')).map((l) => parseOrThrow(parseLogEntry, l));
  }

  /** `echo on|off|all|N`: switch `echo` events, or return the echo buffer (oldest first). */
  echo(mode: 'on' | 'off'): Promise<void>;
  echo(mode: 'all' | number): Promise<EchoEntry[]>;
  echo(mode: HistoryMode): Promise<unknown> {
    return this.#history('echo', mode, parseEchoEntry);
  }

  /** `echo on all`: atomically enables `echo` events and returns the buffer. */
  async echoOnAll(): Promise<EchoEntry[]> {
    return (await this.#successThenLines('echo on all')).map((l) =>
      parseOrThrow(parseEchoEntry, l),
    );
  }

  /** `bytecount N`: `bytecount`/`bytecountClient` events every N seconds; 0 turns them off. */
  async bytecount(seconds: number): Promise<void> {
    await this.#success(`bytecount ${integer(seconds, 'bytecount interval', 0)}`);
  }

  // ---------------------------------------------------------------- control

  /** `hold`: whether the hold flag is set. `hold on|off`: set it for future restarts. */
  hold(): Promise<boolean>;
  hold(flag: 'on' | 'off'): Promise<void>;
  async hold(flag?: 'on' | 'off'): Promise<unknown> {
    if (flag === undefined) {
      const text = await this.#success('hold');
      const m = /^hold=([01])$/.exec(text);
      if (!m) throw protocolError('hold', text);
      return m[1] === '1';
    }
    if (flag !== 'on' && flag !== 'off') {
      throw new ManagementError(ErrorCode.InvalidArgument, "hold flag must be 'on' or 'off'");
    }
    await this.#success(`hold ${flag}`);
  }

  /** `hold release`: lets a held OpenVPN go on (connect, or reconnect after a restart). */
  async holdRelease(): Promise<void> {
    await this.#success('hold release');
  }

  /**
   * `signal SIG`: SIGTERM makes OpenVPN exit (the connection then closes), SIGUSR1 restarts the
   * connection, SIGHUP rereads the configuration, SIGUSR2 logs statistics.
   */
  async signal(signal: Signal): Promise<void> {
    if (!SIGNALS.includes(signal)) {
      throw new ManagementError(
        ErrorCode.InvalidArgument,
        `signal must be one of ${SIGNALS.join(', ')}`,
      );
    }
    await this.#success(`signal ${signal}`);
  }

  /** `verb`: the current log verbosity. */
  async verb(): Promise<number> {
    const text = await this.#success('verb');
    const m = /^verb=(\d+)$/.exec(text);
    if (!m) throw protocolError('verb', text);
    return Number(m[1]);
  }

  /** `verb N`: sets the log verbosity (0-15). */
  async setVerb(level: number): Promise<void> {
    await this.#success(`verb ${integer(level, 'verb level', 0)}`);
  }

  /** `auth-retry MODE`: what OpenVPN does after an authentication failure. */
  async authRetry(mode: AuthRetryMode): Promise<void> {
    if (mode !== 'none' && mode !== 'interact' && mode !== 'nointeract') {
      throw new ManagementError(
        ErrorCode.InvalidArgument,
        "auth-retry mode must be 'none', 'interact' or 'nointeract'",
      );
    }
    await this.#success(`auth-retry ${mode}`);
  }

  // ---------------------------------------------------------------- credentials and prompts

  /** `username TYPE VALUE`, answering `>PASSWORD:Need 'TYPE' username/password`. */
  async username(type: string, value: string): Promise<void> {
    const t = quoteArgument(type, 'the credential type');
    const v = quoteArgument(value, 'the username');
    await this.#success(`username ${t} ${v}`, 'username');
  }

  /**
   * `password TYPE VALUE`, answering `>PASSWORD:Need 'TYPE' ...`. The value is quoted and its
   * backslashes and double quotes escaped; it never appears in errors or events.
   */
  async password(type: string, value: string): Promise<void> {
    const t = quoteArgument(type, 'the credential type');
    const v = quoteArgument(value, 'the password');
    await this.#success(`password ${t} ${v}`, 'password');
  }

  /** `forget-passwords`: OpenVPN forgets the passwords entered so far. */
  async forgetPasswords(): Promise<void> {
    await this.#success('forget-passwords');
  }

  /** `needok NAME ok|cancel`, answering `>NEED-OK:Need 'NAME' ...`. */
  async needOk(name: string, answer: 'ok' | 'cancel'): Promise<void> {
    if (answer !== 'ok' && answer !== 'cancel') {
      throw new ManagementError(
        ErrorCode.InvalidArgument,
        "needok answer must be 'ok' or 'cancel'",
      );
    }
    await this.#success(`needok ${quoteArgument(name, 'the request name')} ${answer}`, 'needok');
  }

  /** `needstr NAME "VALUE"`, answering `>NEED-STR:Need 'NAME' ...`. */
  async needStr(name: string, value: string): Promise<void> {
    const n = quoteArgument(name, 'the request name');
    await this.#success(`needstr ${n} ${quoteArgument(value, 'the answer')}`, 'needstr');
  }

  /**
   * `proxy HTTP|SOCKS HOST PORT [nct]`, answering `>PROXY:` (--management-query-proxy).
   * `nonCleartextOnly` allows only non-cleartext proxy authentication.
   */
  async proxy(
    type: 'HTTP' | 'SOCKS',
    host: string,
    port: number,
    nonCleartextOnly = false,
  ): Promise<void> {
    if (type !== 'HTTP' && type !== 'SOCKS') {
      throw new ManagementError(ErrorCode.InvalidArgument, "proxy type must be 'HTTP' or 'SOCKS'");
    }
    const h = quoteArgument(nonEmptyHost(host), 'the proxy host');
    const p = portNumber(port, 'proxy port');
    await this.#success(
      `proxy ${type} ${h} ${p}${nonCleartextOnly ? ' nct' : ''}`,
      `proxy ${type}`,
    );
  }

  /** `proxy NONE`: connect directly, answering `>PROXY:`. */
  async proxyNone(): Promise<void> {
    await this.#success('proxy NONE');
  }

  /**
   * `remote ACCEPT|SKIP|MOD`, answering `>REMOTE:` (--management-query-remote): use the
   * remote as configured, skip to the next one, or connect to HOST PORT instead.
   */
  remote(action: 'ACCEPT' | 'SKIP'): Promise<void>;
  remote(action: 'MOD', host: string, port: number): Promise<void>;
  async remote(action: 'ACCEPT' | 'SKIP' | 'MOD', host?: string, port?: number): Promise<void> {
    if (action === 'ACCEPT' || action === 'SKIP') {
      await this.#success(`remote ${action}`);
      return;
    }
    if (action !== 'MOD') {
      throw new ManagementError(
        ErrorCode.InvalidArgument,
        "remote action must be 'ACCEPT', 'SKIP' or 'MOD'",
      );
    }
    const h = quoteArgument(nonEmptyHost(host ?? ''), 'the remote host');
    await this.#success(`remote MOD ${h} ${portNumber(port, 'remote port')}`, 'remote MOD');
  }

  // ---------------------------------------------------------------- server mode

  /**
   * `client-auth CID KID` followed by client-connect config lines and `END`
   * (--management-client-auth), answering `>CLIENT:CONNECT|REAUTH`.
   */
  async clientAuth(clientId: number, keyId: number, config: readonly string[] = []): Promise<void> {
    const head = `client-auth ${integer(clientId, 'client id', 0)} ${integer(keyId, 'key id', 0)}`;
    for (const line of config) {
      assertSingleLine(line, 'a client-auth config line');
      if (line.trim() === 'END') {
        throw new ManagementError(
          ErrorCode.InvalidArgument,
          'a client-auth config line cannot be END (it ends the block)',
        );
      }
    }
    await this.#run(
      `${[head, ...config, 'END'].join('\n')}\n`,
      'client-auth',
      successReply('client-auth'),
    );
  }

  /** `client-auth-nt CID KID`: authorise without config lines. */
  async clientAuthNt(clientId: number, keyId: number): Promise<void> {
    const cid = integer(clientId, 'client id', 0);
    await this.#success(`client-auth-nt ${cid} ${integer(keyId, 'key id', 0)}`, 'client-auth-nt');
  }

  /** `client-deny CID KID "reason" ["client reason"]`: refuse a client (reason is logged). */
  async clientDeny(
    clientId: number,
    keyId: number,
    reason: string,
    clientReason?: string,
  ): Promise<void> {
    const cid = integer(clientId, 'client id', 0);
    const kid = integer(keyId, 'key id', 0);
    const r = quoteArgument(reason, 'the deny reason');
    const cr =
      clientReason === undefined ? '' : ` ${quoteArgument(clientReason, 'the client reason')}`;
    await this.#success(`client-deny ${cid} ${kid} ${r}${cr}`, 'client-deny');
  }

  /** `client-kill CID [MESSAGE]`: disconnect a client (default message RESTART). */
  async clientKill(clientId: number, message?: string): Promise<void> {
    const cid = integer(clientId, 'client id', 0);
    const m = message === undefined ? '' : ` ${quoteArgument(message, 'the kill message')}`;
    await this.#success(`client-kill ${cid}${m}`, 'client-kill');
  }

  /** `kill CN` or `kill IP:PORT`: disconnect clients by common name or real address. */
  async kill(commonNameOrAddress: string): Promise<string> {
    return this.#success(`kill ${quoteArgument(commonNameOrAddress, 'the kill target')}`, 'kill');
  }

  // ---------------------------------------------------------------- internals

  #revealPassword(): string | undefined {
    const p = this.#password;
    if (p === undefined) return undefined;
    return typeof p === 'string' ? p : p.reveal();
  }

  async #history<T>(
    verb: 'state' | 'log' | 'echo',
    mode: HistoryMode,
    parse: (line: string) => T | undefined,
  ): Promise<T[] | undefined> {
    if (mode === 'on' || mode === 'off') {
      await this.#success(`${verb} ${mode}`);
      return;
    }
    const arg = mode === 'all' ? 'all' : integer(mode, `${verb} line count`, 1);
    return (await this.#lines(`${verb} ${arg}`)).map((l) => parseOrThrow(parse, l));
  }

  #success(line: string, label = line): Promise<string> {
    return this.#run(`${line}\n`, label, successReply(label));
  }

  #lines(line: string): Promise<string[]> {
    return this.#run(`${line}\n`, line, multiLineReply(line));
  }

  #successThenLines(line: string): Promise<string[]> {
    return this.#run(`${line}\n`, line, successThenLinesReply(line));
  }

  #run<T>(
    text: string,
    label: string,
    reply: ReplyReader<T> | undefined,
    timeoutMs?: number,
  ): Promise<T> {
    if (this.#phase !== 'ready') {
      return Promise.reject(
        new ManagementError(
          ErrorCode.Closed,
          `${label}: ${this.#phase === 'closed' ? 'the connection is closed' : 'not connected yet'}`,
          { command: label },
        ),
      );
    }
    return this.#queue.enqueue({
      text,
      label,
      reply,
      timeoutMs: timeoutMs ?? this.#commandTimeoutMs,
    });
  }

  #write(text: string): void {
    const socket = this.#socket;
    if (!socket || socket.destroyed || this.#phase === 'closed') {
      throw new ManagementError(ErrorCode.Closed, 'the connection is closed');
    }
    socket.write(text);
  }

  #attach(socket: Duplex): void {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer | string) => this.#onData(chunk));
    socket.on('error', (error: Error) => {
      this.#socketError = error;
    });
    socket.on('end', () => this.#onRemoteEnd());
    socket.on('close', () => this.#onRemoteEnd());
  }

  #onRemoteEnd(): void {
    if (this.#socketError) this.#terminate('error', this.#socketError);
    else this.#terminate(this.#quitting ? 'quit' : 'remote-closed', undefined);
  }

  #onData(chunk: Buffer | string): void {
    let items: SplitItem[];
    try {
      items = this.#splitter.push(chunk);
    } catch (error) {
      this.#terminate('protocol-error', error as Error);
      return;
    }
    for (const item of items) {
      if (this.#phase === 'closed') return;
      if (item.kind === 'prompt') this.#onPrompt();
      else if (item.text.startsWith('>')) this.#onNotification(item.text);
      else this.#onLine(item.text);
    }
  }

  #onPrompt(): void {
    const handshake = this.#handshake;
    if (!handshake) {
      this.#emit('unexpectedLine', 'ENTER PASSWORD:');
      return;
    }
    const password = this.#revealPassword();
    if (password === undefined) {
      this.#terminate(
        'error',
        new ManagementError(
          ErrorCode.Password,
          `OpenVPN at ${describeTarget(this.#target)} asks for a management password and none is configured`,
        ),
      );
      return;
    }
    if (handshake.passwordSent) {
      // OpenVPN 2.6 says nothing about a wrong password: it prompts again. We stop at the
      // first refusal rather than spend the attempts OpenVPN allows.
      this.#terminate(
        'error',
        new ManagementError(
          ErrorCode.Password,
          `OpenVPN at ${describeTarget(this.#target)} rejected the management password`,
        ),
      );
      return;
    }
    handshake.passwordSent = true;
    this.#write(`${password}\n`);
  }

  #onLine(line: string): void {
    const handshake = this.#handshake;
    if (handshake) {
      // Older versions announce a wrong password; 2.6 only prompts again (see #onPrompt).
      if (handshake.passwordSent && line.startsWith('ERROR:')) {
        this.#terminate(
          'error',
          new ManagementError(
            ErrorCode.Password,
            `OpenVPN at ${describeTarget(this.#target)} rejected the management password`,
          ),
        );
      }
      // "SUCCESS: password is correct" needs no action: the greeting follows.
      if (line !== '' && line !== 'SUCCESS: password is correct')
        this.#emit('unexpectedLine', line);
      return;
    }
    if (this.#queue.handleLine(line)) return;
    if (line !== '') this.#emit('unexpectedLine', line);
  }

  #onNotification(line: string): void {
    const raw = splitNotification(line);
    this.#emit('notification', raw);
    if (raw.source === 'CLIENT') {
      for (const event of this.#clients.push(raw.payload)) this.#emit('client', event);
      return;
    }
    const decoded = decodeNotification(raw);
    if (decoded) {
      // The union pairs every event name with its payload type, which emit() cannot see.
      (this.#emit as (event: string, data: unknown) => void)(decoded.event, decoded.data);
    }
    if (raw.source === 'INFO' && this.#handshake) {
      this.#greeting = raw.payload;
      this.#handshake.succeed();
    }
  }

  /**
   * A listener that throws must not break parsing of the rest of the chunk, nor the client's
   * state: its error is rethrown on a later tick, where it surfaces as an uncaught exception just
   * as it would from any other emitter.
   */
  #emit<K extends keyof ManagementEvents>(event: K, ...args: ManagementEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: ManagementEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  #terminate(reason: CloseReason, error: Error | undefined): void {
    if (this.#phase === 'closed') return;
    const wasReady = this.#phase === 'ready';
    this.#phase = 'closed';
    this.#socket?.destroy();
    this.#queue.close(
      () =>
        new ManagementError(ErrorCode.Closed, closedMessage(reason, error), {
          cause: error,
        }),
    );
    const handshake = this.#handshake;
    if (handshake) {
      handshake.fail(
        error instanceof ManagementError
          ? error
          : new ManagementError(
              reason === 'client-closed' ? ErrorCode.Closed : ErrorCode.Connect,
              `connection to ${describeTarget(this.#target)} ended before OpenVPN's greeting` +
                (error ? `: ${error.message}` : ''),
              { cause: error },
            ),
      );
    }
    const incomplete = this.#clients.flush();
    if (incomplete && wasReady) this.#emit('client', incomplete);
    const event: CloseEvent = { reason, error };
    this.#resolveClosed(event);
    if (wasReady) this.#emit('close', event);
  }
}

function closedMessage(reason: CloseReason, error: Error | undefined): string {
  switch (reason) {
    case 'client-closed':
      return 'the client was closed';
    case 'quit':
      return 'the session was ended with quit';
    case 'remote-closed':
      return 'OpenVPN closed the management connection';
    default:
      return `the management connection failed${error ? `: ${error.message}` : ''}`;
  }
}

function protocolError(command: string, text: string): ManagementError {
  return new ManagementError(
    ErrorCode.Protocol,
    `${command}: unexpected reply "SUCCESS: ${text.slice(0, 200)}"`,
    { command },
  );
}

function parseOrThrow<T>(parse: (line: string) => T | undefined, line: string): T {
  const value = parse(line);
  if (value === undefined) {
    throw new ManagementError(
      ErrorCode.Protocol,
      `cannot parse history line "${line.slice(0, 200)}"`,
    );
  }
  return value;
}

function integer(value: number, what: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ManagementError(
      ErrorCode.InvalidArgument,
      `${what} must be an integer of at least ${min}`,
    );
  }
  return value;
}

function portNumber(value: number | undefined, what: string): number {
  if (value === undefined || !Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new ManagementError(ErrorCode.InvalidArgument, `${what} must be an integer 1-65535`);
  }
  return value;
}

function nonEmptyHost(host: string): string {
  if (host.trim() === '' || /\s/.test(host)) {
    throw new ManagementError(
      ErrorCode.InvalidArgument,
      'host must be a non-empty name or address without spaces',
    );
  }
  return host;
}

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import {
  expectNoUnhandledRejections,
  type TcpRelay,
  type Topology,
} from '@pa-connector/test-support';
import type { LoggedProcess } from './logged-process';
import type { StackRun } from './stack-run';

/**
 * Last-resort clean-up when the owner exits without stop() (process.exit, an uncaught error):
 * SIGKILL by PID whatever runs in the run's namespaces, delete them and the root's veth. `exit`
 * handlers must be synchronous, hence the *Sync calls.
 */
function destroyTopologySync(t: Topology): void {
  const quiet = { stdio: 'pipe' as const, encoding: 'utf8' as const, timeout: 5_000 };
  for (const ns of [...[...t.hosts.values()].map((h) => h.netns), t.hub]) {
    try {
      for (const pid of execFileSync('ip', ['netns', 'pids', ns], quiet).split('\n')) {
        if (/^\d+$/.test(pid.trim())) process.kill(Number(pid), 'SIGKILL');
      }
    } catch {
      // gone already
    }
    try {
      execFileSync('ip', ['netns', 'del', ns], quiet);
    } catch {
      // gone already
    }
  }
  if (t.root) {
    try {
      execFileSync('ip', ['link', 'del', t.root.link], quiet);
    } catch {
      // gone with the hub
    }
  }
}

/** A service whose unhandled-rejection count is read before it stops. */
interface WatchedService {
  name: string;
  url: string;
  process: () => LoggedProcess;
}

/**
 * Everything a stack run has set up, and how to take it down: by PID in dependency order on
 * stop(), or synchronously at process exit if the owner never calls stop().
 */
export class StackTeardown {
  topology: Topology | undefined;
  logDirMounted = false;
  readonly relays: TcpRelay[] = [];
  /** Services whose /metrics are read before they stop: any unhandled rejection fails stop(). */
  readonly watched: WatchedService[] = [];
  /** Run first, on stop() and at exit: undo faults that would keep processes from stopping. */
  readonly beforeStop: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly run: StackRun,
    private readonly logDir: string,
    private readonly keepRunDir: boolean,
  ) {
    process.once('exit', this.onExit);
  }

  private undoFaults(): void {
    for (const undo of this.beforeStop) {
      try {
        undo();
      } catch {
        // the namespace is gone already
      }
    }
  }

  private readonly onExit = () => {
    this.undoFaults();
    if (this.topology) destroyTopologySync(this.topology);
    if (this.logDirMounted) {
      execFileSync('umount', [this.logDir], { stdio: 'pipe', timeout: 5_000 });
    }
    if (!this.keepRunDir) rmSync(this.run.runDir, { recursive: true, force: true });
  };

  readonly stop = async (): Promise<void> => {
    if (this.stopped) return;
    this.stopped = true;
    process.off('exit', this.onExit);
    this.undoFaults();
    const procs = this.run.procs;
    const faults = (
      await Promise.all(
        this.watched
          .filter((w) => w.process().running())
          .map((w) =>
            expectNoUnhandledRejections(w.name, w.url, () => w.process().tail(200)).then(
              () => undefined,
              (err: unknown) => err,
            ),
          ),
      )
    ).filter((e) => e !== undefined);
    // Services first (they report to the connector), then the connector (its SIGTERM drains the
    // proxy and stops its openvpn children), then the cloud side and Redis.
    const order = ['pop-manager', 'update', 'logging', 'connector', 'app1', 'app2', 'emulator'];
    for (const name of order) {
      await Promise.all(procs.filter((p) => p.name === name).map((p) => p.stop()));
    }
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(this.relays.map((r) => r.close()));
    if (this.logDirMounted) {
      execFileSync('umount', [this.logDir], { stdio: 'pipe', timeout: 10_000 });
    }
    this.logDirMounted = false;
    await this.topology?.destroy();
    if (!this.keepRunDir) rmSync(this.run.runDir, { recursive: true, force: true });
    if (faults.length > 0) throw faults[0];
  };
}

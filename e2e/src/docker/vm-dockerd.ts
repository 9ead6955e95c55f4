import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary, waitFor } from '@pa-connector/test-support';
import { type CommandOptions, type CommandResult, mustRun, runCommand } from './command';

/** A Docker engine of a test VM: its own network namespace, storage, sockets and DNS. */
export interface VmDockerd {
  /** `unix://<socket>`: what DOCKER_HOST takes, for docker, docker-compose and infra.sh. */
  readonly dockerHost: string;
  readonly pid: number;
  /** The process environment with DOCKER_HOST set to this engine. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** `docker ARGS` against this engine; never throws on a non-zero exit. */
  docker(args: readonly string[], o?: CommandOptions): Promise<CommandResult>;
  /** Stops the engine by PID (its containers with it) and removes its storage. */
  stop(): Promise<void>;
}

export interface VmDockerdOptions {
  /** The network namespace that plays the VM (`ip netns` name). */
  netns: string;
  /** The VM's DNS server (an address reachable from the namespace): every container asks it. */
  dns: string;
  /**
   * Registries (`host:port`) the engine pulls from over plain HTTP (`--insecure-registry`): a
   * test registry on an address of the topology, which has no certificate.
   */
  insecureRegistries?: readonly string[];
}

/**
 * Starts `dockerd` inside a network namespace, so a test has a whole VM: the engine's bridges,
 * NAT and iptables rules live in that namespace only, its containers reach only what the test's
 * topology routes, and every name they look up goes to the given DNS server (`--dns`), never to
 * the machine's own resolver. It has its own data root (vfs), exec root and socket, so it runs
 * beside the machine's engine without sharing images or containers with it.
 *
 * `nsenter --net` rather than `ip netns exec`: the latter also gives the process a mount namespace
 * with a fresh /sys, where the cgroup hierarchy dockerd needs is not mounted.
 */
export async function startVmDockerd(o: VmDockerdOptions, timeoutMs = 90_000): Promise<VmDockerd> {
  requireBinary('dockerd', 'docker.io');
  requireBinary('nsenter', 'util-linux');
  // Short: containerd's socket path lives under the exec root and must fit in 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'pavm-'));
  const socket = join(dir, 'docker.sock');
  const logFile = join(dir, 'dockerd.log');
  const log = openSync(logFile, 'a', 0o600);
  const child = spawn(
    'nsenter',
    [
      `--net=/var/run/netns/${o.netns}`,
      'dockerd',
      '--storage-driver=vfs',
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--host=unix://${socket}`,
      `--pidfile=${join(dir, 'dockerd.pid')}`,
      `--dns=${o.dns}`,
      ...(o.insecureRegistries ?? []).map((r) => `--insecure-registry=${r}`),
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  if (child.pid === undefined) throw new Error('could not start dockerd');
  const pid = child.pid;
  let dead = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      dead = true;
      resolve();
    }),
  );
  const dockerHost = `unix://${socket}`;
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ...process.env,
    DOCKER_HOST: dockerHost,
    ...extra,
  });
  const docker = (args: readonly string[], c: CommandOptions = {}) =>
    runCommand('docker', args, { timeoutMs: 120_000, ...c, env: env(c.env) });

  const stop = async () => {
    if (!dead) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    }
    // A container that dockerd could not stop may leave its mounts (shm, secrets) under the data root.
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) await runCommand('umount', ['-l', m], { timeoutMs: 10_000 });
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      `dockerd in ${o.netns} to answer`,
      async () => {
        if (dead) throw new Error(`dockerd exited:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
        const r = await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
        return r.code === 0;
      },
      timeoutMs,
      500,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { dockerHost, pid, env, docker, stop };
}

/**
 * A tiny image made from the machine's static busybox (sh, nslookup, wget, nc), imported into
 * the given engine: enough to look at a VM's network from a container without a registry.
 */
export async function importBusyboxImage(
  vm: VmDockerd,
  tag = 'pa-test/busybox:1',
): Promise<string> {
  const busybox = requireBinary('busybox', 'busybox-static');
  const root = mkdtempSync(join(tmpdir(), 'pa-busybox-'));
  try {
    await mustRun('mkdir', ['-p', join(root, 'bin')]);
    await mustRun('cp', [busybox, join(root, 'bin', 'busybox')]);
    for (const applet of ['sh', 'nslookup', 'wget', 'nc', 'sleep', 'cat']) {
      await mustRun('ln', ['-s', 'busybox', join(root, 'bin', applet)]);
    }
    const tar = join(root, '..', `${root.split('/').pop()}.tar`);
    await mustRun('tar', ['-C', root, '-cf', tar, '.']);
    await mustRun('docker', ['import', tar, tag], { env: vm.env(), timeoutMs: 120_000 });
    rmSync(tar, { force: true });
    return tag;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

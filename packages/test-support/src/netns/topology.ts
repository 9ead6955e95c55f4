import { randomBytes } from 'node:crypto';
import { run } from './exec';

/** One host of a test topology: a network namespace with an address on the shared segment. */
export interface Host {
  /** Short role name, e.g. `gw1`. */
  role: string;
  /** The namespace, unique per run: `pa<run>-<role>`. */
  netns: string;
  ipv4: string;
  ipv6: string;
}

export interface TopologyOptions {
  /** Roles of the hosts, e.g. ['cloud', 'gw1', 'gw2', 'connector', 'app', 'user']. */
  roles: string[];
  /**
   * Also join the ROOT namespace to the bridge: a veth whose one end stays in the root namespace
   * with `.2` of the run's IPv4 and IPv6 subnets (see `root`), so processes on the host reach the
   * hosts and the other way round. Removed by destroy(). Default false.
   */
  attachRoot?: boolean;
}

/** The root namespace's place on the segment (with `attachRoot`). */
export interface RootAttachment {
  /** The veth end in the root namespace, e.g. `pa1a2b3cr`. */
  link: string;
  ipv4: string;
  ipv6: string;
}

const ROLE = /^[a-z][a-z0-9]{0,11}$/;

/**
 * A test network built from namespaces: a hub namespace holding a bridge, and one namespace per
 * host joined to it by a veth pair. Each host gets an IPv4 address in a 10.x.y.0/24 and an IPv6
 * ULA in fdXX:…::/64 picked per run, so two runs never collide and nothing leaves the namespaces.
 * Names carry a random run id; `destroy()` removes only what this instance created.
 */
export class Topology {
  readonly runId: string;
  readonly hub: string;
  readonly hosts = new Map<string, Host>();
  /** Set when created with `attachRoot`. */
  readonly root: RootAttachment | undefined;
  readonly #subnet4: string;
  readonly #subnet6: string;
  #created: string[] = [];
  #rootLink: string | undefined;

  private constructor(roles: string[], attachRoot: boolean) {
    this.runId = randomBytes(3).toString('hex');
    this.hub = `pa${this.runId}-hub`;
    const r = randomBytes(3);
    this.#subnet4 = `10.${100 + ((r[0] as number) % 100)}.${r[1] as number}`;
    // Written the way the kernel and Node print it, so addresses built from it compare equal to
    // the ones read back: no group with a leading zero, none zero (it would fold into "::").
    const group = (hex: string) =>
      (Number.parseInt(hex, 16) | (1 << (hex.length * 4 - 4))).toString(16);
    this.#subnet6 = `fd${(r[2] as number).toString(16).padStart(2, '0')}:${group(this.runId.slice(0, 4))}:${group(this.runId.slice(4))}::`;
    roles.forEach((role, i) => {
      if (!ROLE.test(role))
        throw new Error(`role ${JSON.stringify(role)} must be 1-12 lowercase letters/digits`);
      this.hosts.set(role, {
        role,
        netns: `pa${this.runId}-${role}`,
        ipv4: `${this.#subnet4}.${i + 10}`,
        ipv6: `${this.#subnet6}${(i + 10).toString(16)}`,
      });
    });
    this.root = attachRoot
      ? { link: `pa${this.runId}r`, ipv4: `${this.#subnet4}.2`, ipv6: `${this.#subnet6}2` }
      : undefined;
  }

  /** Builds the network; on any failure it removes what it had made and rethrows. */
  static async create(o: TopologyOptions): Promise<Topology> {
    let t = new Topology(o.roles, o.attachRoot === true);
    // The root namespace routes the run's /24: pick another subnet if one is routed there already.
    for (let i = 0; t.root && i < 8 && (await t.#subnetRoutedInRoot()); i++) {
      t = new Topology(o.roles, true);
    }
    try {
      await t.#build();
    } catch (err) {
      await t.destroy();
      throw err;
    }
    return t;
  }

  host(role: string): Host {
    const h = this.hosts.get(role);
    if (!h)
      throw new Error(
        `no host ${role} in this topology (have ${[...this.hosts.keys()].join(', ')})`,
      );
    return h;
  }

  async #addNetns(name: string): Promise<void> {
    await run('ip', ['netns', 'add', name]);
    this.#created.push(name);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  }

  async #subnetRoutedInRoot(): Promise<boolean> {
    const routes = await run('ip', ['-4', 'route', 'show', 'match', `${this.#subnet4}.0/24`]);
    return routes.split('\n').some((l) => l.startsWith(`${this.#subnet4}.0/24`));
  }

  async #attachRoot(root: RootAttachment): Promise<void> {
    const hubSide = 'vrh';
    await run('ip', [
      'link',
      'add',
      root.link,
      'type',
      'veth',
      'peer',
      'name',
      hubSide,
      'netns',
      this.hub,
    ]);
    this.#rootLink = root.link;
    await run('ip', ['-n', this.hub, 'link', 'set', hubSide, 'master', 'br0']);
    await run('ip', ['-n', this.hub, 'link', 'set', hubSide, 'up']);
    await run('sysctl', ['-q', '-w', `net.ipv6.conf.${root.link}.accept_dad=0`]);
    await run('ip', ['addr', 'add', `${root.ipv4}/24`, 'dev', root.link]);
    await run('ip', ['-6', 'addr', 'add', `${root.ipv6}/64`, 'dev', root.link, 'nodad']);
    await run('ip', ['link', 'set', root.link, 'up']);
  }

  async #build(): Promise<void> {
    await this.#addNetns(this.hub);
    await run('ip', ['-n', this.hub, 'link', 'add', 'br0', 'type', 'bridge']);
    await run('ip', ['-n', this.hub, 'link', 'set', 'br0', 'up']);
    let i = 0;
    for (const h of this.hosts.values()) {
      await this.#addNetns(h.netns);
      // veth names are made in the hub (short, unique there), then one end moves to the host.
      const hubSide = `v${i}h`;
      const hostSide = `v${i}n`;
      i += 1;
      await run('ip', [
        '-n',
        this.hub,
        'link',
        'add',
        hubSide,
        'type',
        'veth',
        'peer',
        'name',
        hostSide,
      ]);
      await run('ip', ['-n', this.hub, 'link', 'set', hostSide, 'netns', h.netns]);
      await run('ip', ['-n', this.hub, 'link', 'set', hubSide, 'master', 'br0']);
      await run('ip', ['-n', this.hub, 'link', 'set', hubSide, 'up']);
      await run('ip', ['-n', h.netns, 'link', 'set', hostSide, 'name', 'eth0']);
      await run('ip', [
        'netns',
        'exec',
        h.netns,
        'sysctl',
        '-q',
        '-w',
        'net.ipv6.conf.eth0.accept_dad=0',
      ]);
      await run('ip', ['-n', h.netns, 'addr', 'add', `${h.ipv4}/24`, 'dev', 'eth0']);
      await run('ip', ['-n', h.netns, '-6', 'addr', 'add', `${h.ipv6}/64`, 'dev', 'eth0', 'nodad']);
      await run('ip', ['-n', h.netns, 'link', 'set', 'eth0', 'up']);
    }
    if (this.root) await this.#attachRoot(this.root);
  }

  /** `ip netns exec <ns>` prefix for spawning a process inside a host (the PID is the command's). */
  execArgs(role: string, command: string, args: string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.host(role).netns, command, ...args]];
  }

  /** Cuts a host off the segment (its link goes down) or brings it back. */
  async setLink(role: string, up: boolean): Promise<void> {
    await run('ip', ['-n', this.host(role).netns, 'link', 'set', 'eth0', up ? 'up' : 'down']);
  }

  /**
   * Kills every process still inside this topology's namespaces (by PID, as listed by
   * `ip netns pids`), removes the root namespace's veth (with `attachRoot`) and deletes the
   * namespaces. Safe to call twice.
   */
  async destroy(): Promise<void> {
    if (this.#rootLink) {
      await run('ip', ['link', 'del', this.#rootLink]).catch(() => undefined);
      this.#rootLink = undefined;
    }
    for (const ns of [...this.#created].reverse()) {
      const pids = (await run('ip', ['netns', 'pids', ns]).catch(() => ''))
        .split('\n')
        .map((s) => Number(s.trim()))
        .filter((n) => Number.isInteger(n) && n > 0);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
    this.#created = [];
  }
}

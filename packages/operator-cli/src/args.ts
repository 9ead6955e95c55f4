import { CliError } from './cli-error';

export const COMMANDS = [
  'status',
  'version',
  'tunnels',
  'apps',
  'logs',
  'diagnose',
  'help',
] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Options each command takes: boolean flags and options with a value. */
const SPEC: Record<CommandName, { flags: string[]; values: string[] }> = {
  status: { flags: ['json'], values: [] },
  version: { flags: ['json'], values: [] },
  tunnels: { flags: ['json'], values: [] },
  apps: { flags: ['json'], values: [] },
  logs: { flags: ['json', 'follow'], values: ['service', 'level', 'limit', 'since'] },
  diagnose: {
    flags: ['json', 'no-apps'],
    values: ['profile', 'sse-port', 'gateway-port', 'timeout'],
  },
  help: { flags: [], values: [] },
};

const SHORT: Record<string, string> = { f: 'follow', n: 'limit', h: 'help' };

export interface ParsedArgs {
  command: CommandName;
  flags: Set<string>;
  values: Map<string, string>;
}

export const USAGE = `usage: pa-operator <command> [options]

commands:
  status [--json]              services (up/stale/down), tunnels, apps and errors at a glance
  version [--json]             running version of each service (and the available one, when known)
  tunnels [--json]             the tunnels to the gateways
  apps [--json]                the private apps and the health of their servers
  logs [-f] [--service S] [--level L] [--limit N] [--since D] [--json]
                               recent log lines of the POP (-f: follow live)
  diagnose [--json] [--profile saas|onprem] [--sse-port N] [--gateway-port N] [--timeout D]
           [--no-apps]         every connection the POP makes, checked live (exit 1 on a failure)
  help                         this text

settings (environment): PA_POP_MANAGER_URL, PA_LOGGING_URL, PA_CONNECTOR_URL; for diagnose the
connector's PA_SSE_URLS, PA_SSE_CA_FILE, PA_PROXY_URL or PA_PROXY_URL_FILE, PA_NO_PROXY, PA_POP,
PA_DATA_DIR or PA_GATEWAYS.
exit codes: 0 ok, 1 a required diagnose check failed, 64 bad command line, 69 a POP service is
not reachable, 70 a bug, 78 a setting is wrong.`;

/** Parses `<command> [options]`; anything unknown is a usage error naming it. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    return { command: 'help', flags: new Set(), values: new Map() };
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new CliError(
      'usage',
      `unknown command ${JSON.stringify(first)} (commands: ${COMMANDS.join(', ')})`,
    );
  }
  const command = first as CommandName;
  const spec = SPEC[command];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (/^-[a-z]$/.test(arg) && SHORT[arg[1] as string]) {
      name = SHORT[arg[1] as string] as string;
    } else {
      throw new CliError('usage', `${command}: unexpected argument ${JSON.stringify(arg)}`);
    }
    if (name === 'help') return { command: 'help', flags, values };
    if (spec.flags.includes(name)) {
      if (inline !== undefined) throw new CliError('usage', `${command}: --${name} takes no value`);
      flags.add(name);
    } else if (spec.values.includes(name)) {
      const v = inline ?? rest[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('-'))) {
        throw new CliError('usage', `${command}: --${name} needs a value`);
      }
      values.set(name, v);
    } else {
      throw new CliError('usage', `${command}: unknown option ${JSON.stringify(arg)}`);
    }
  }
  return { command, flags, values };
}

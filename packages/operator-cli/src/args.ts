import { type ParseArgsConfig, parseArgs as utilParseArgs } from 'node:util';
import { CliError } from './cli-error';

export const COMMANDS = [
  'status',
  'version',
  'tunnels',
  'apps',
  'logs',
  'diagnose',
  'drain',
  'undrain',
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
  drain: { flags: ['json'], values: ['grace'] },
  undrain: { flags: ['json'], values: [] },
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
  status [--json]              services (up/stale/down), tunnels, apps and errors at a glance;
                               whether the connector drains, its group's peers and update slot
  version [--json]             running version of each service (and the available one, when known)
  tunnels [--json]             the tunnels to the gateways
  apps [--json]                the private apps and the health of their servers
  logs [-f] [--service S] [--level L] [--limit N] [--since D] [--json]
                               recent log lines of the POP (-f: follow live)
  diagnose [--json] [--profile saas|onprem] [--sse-port N] [--gateway-port N] [--timeout D]
           [--no-apps]         every connection the POP makes, checked live (exit 1 on a failure)
  drain [--grace S] [--json]   the connector drains: no new users, open connections may finish
                               within S seconds (default PA_PROXY_DRAIN_GRACE); shows them until
                               none is left, then what to do next (exit 1 if not drained)
  undrain [--json]             the connector back in service after a drain
  help                         this text

settings (environment): PA_POP_MANAGER_URL, PA_LOGGING_URL, PA_CONNECTOR_URL,
PA_INTERNAL_API_TOKEN_FILE (the connector's internal API secret, for drain and the group); for diagnose the
connector's PA_SSE_URLS, PA_SSE_CA_FILE, PA_PROXY_URL or PA_PROXY_URL_FILE, PA_NO_PROXY, PA_REGION,
PA_DATA_DIR or PA_GATEWAYS.
exit codes: 0 ok, 1 a required diagnose check failed, 64 bad command line, 69 a POP service is
not reachable, 70 a bug, 78 a setting is wrong.`;

/** The command's options for `node:util` parseArgs: its flags and values, their short forms, help. */
function utilOptions(spec: { flags: string[]; values: string[] }): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const f of spec.flags) options[f] = { type: 'boolean' };
  for (const v of spec.values) options[v] = { type: 'string' };
  for (const [short, long] of Object.entries(SHORT)) {
    const o = options[long];
    if (o) o.short = short;
  }
  return options;
}

/**
 * Parses `<command> [options]` with `node:util` parseArgs (its tokens, not its strict mode, so
 * every refusal keeps its own message); anything unknown is a usage error naming it.
 */
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
  const unexpected = (arg: string) =>
    new CliError('usage', `${command}: unexpected argument ${JSON.stringify(arg)}`);
  // One letter after one dash, and only the short forms there are: no groups (-fn), no -n5.
  const badShort = rest.find(
    (a) => /^-[^-]/.test(a) && !(/^-[a-z]$/.test(a) && SHORT[a[1] as string]),
  );
  const { tokens } = utilParseArgs({
    args: [...rest],
    options: utilOptions(spec),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (const t of tokens) {
    const arg = rest[t.index] as string;
    if (t.kind === 'positional') throw unexpected(arg);
    if (t.kind === 'option-terminator') {
      throw new CliError('usage', `${command}: unknown option ${JSON.stringify(arg)}`);
    }
    if (arg === badShort) throw unexpected(arg);
    const name = t.name;
    if (name === 'help') return { command: 'help', flags, values };
    if (spec.flags.includes(name)) {
      if (t.inlineValue) throw new CliError('usage', `${command}: --${name} takes no value`);
      flags.add(name);
    } else if (spec.values.includes(name)) {
      const v = t.value;
      if (v === undefined || v === '' || (!t.inlineValue && v.startsWith('-'))) {
        throw new CliError('usage', `${command}: --${name} needs a value`);
      }
      values.set(name, v);
    } else {
      throw new CliError('usage', `${command}: unknown option ${JSON.stringify(arg)}`);
    }
  }
  return { command, flags, values };
}

import { ExitCode, type ExitCodeValue } from '@pa-connector/config';
import { ADMIN_COMMANDS, runAdminCommand } from './admin-commands';
import { serve } from './serve';
import { UsageError } from './usage-error';

const USAGE = `usage:
  pa-emulator serve --data-dir DIR [--config FILE] [--host H] [--port N]
                    [--admin-host H] [--admin-port N] [--admin-token-file F]
                    [--cert-lifetime 365d] [--token-lifetime 1h]
                    [--region name=host:port/udp[@netns],host:port/udp ...] [--tls-name NAME ...]
                    [--gateways] [--control-port 8900] [--health-stale 15s]
                    [--ingress-port N [--ingress-host 127.0.0.1]
                     [--ingress-connect-timeout 2s] [--ingress-suspect 5s]]
                    [--profile saas|onprem] [--endpoint PURPOSE=[host][:port][@bind] ...]
                    [--pop-hostname REGION=NAME[,NAME] ...]
                    [--bundle PoPDeployment.tar --infra-script infra.sh]
                    [--log-level info]
  pa-emulator group create --name NAME [--region REGION]
                           [--max-connectors N] [--customer-id ID]
  pa-emulator group list
  pa-emulator group view --group ID [--json]
  pa-emulator group slot-free --group ID
  pa-emulator app create --name NAME --host HOST --port N --servers HOST:PORT[,HOST:PORT]
                         [--id ID] [--strategy round-robin|least-connections]
                         [--health-check tcp|http:/PATH] [--groups ID[,ID]]
  pa-emulator app list
  pa-emulator app groups --app ID --groups ID[,ID]   (--groups "" leaves it in none)
  pa-emulator app delete --app ID
  pa-emulator key create --group ID [--max-uses N] [--expires-in 1h]
  pa-emulator key list --group ID
  pa-emulator key revoke --key KEYID
  pa-emulator key rotate --group ID
  pa-emulator connector list
  pa-emulator ca get
  (admin commands take --admin-url URL (default $PA_EMULATOR_ADMIN_URL or
   http://127.0.0.1:8444) and --admin-token-file F)`;

/** Exit code 0 ok, 1 failure, 64 bad usage (docs/exit-codes.md); the reason is one line on stderr. */
export async function main(argv: string[]): Promise<ExitCodeValue | undefined> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? ExitCode.usage : ExitCode.ok;
    }
    if (command === 'serve') {
      await serve(rest);
      return undefined; // keeps running until a signal
    }
    const [verb, ...flags] = rest;
    if (!verb || !ADMIN_COMMANDS.includes(`${command} ${verb}`)) {
      throw new UsageError(
        `unknown command "${argv.slice(0, 2).join(' ')}" (see pa-emulator --help)`,
      );
    }
    await runAdminCommand(command, verb, flags);
    return ExitCode.ok;
  } catch (err) {
    process.stderr.write(`pa-emulator: ${(err as Error).message}\n`);
    return err instanceof UsageError ? ExitCode.usage : ExitCode.failed;
  }
}

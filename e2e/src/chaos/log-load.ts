import { repoRoot } from '@pa-connector/test-support';
import { type LoggedProcess, type Stack, startLogged } from '../stack';

/** The producer's name: its service field, its output file and its file in the log directory. */
export const LOG_LOAD = 'log-load';

/**
 * A POP member that does nothing but log a numbered line every `everyMs`, through the services'
 * own logger and Redis log shipping (startMemberBase), so lines flow through every fault even
 * when the services themselves have nothing to say. SIGTERM flushes its lines, as a service's
 * shutdown does.
 */
const SOURCE = `
const [root, everyMs] = process.argv.slice(1);
const rt = require(root + '/packages/service-runtime/dist/index.js');
const { logShippingSettings } = require(root + '/packages/logger/dist/index.js');
const config = rt.loadServiceConfig({ ...rt.commonSettings('pop-manager'), ...logShippingSettings() });
const base = rt.startMemberBase('${LOG_LOAD}', config);
let n = 0;
const timer = setInterval(() => base.logger.info({ n: ++n }, 'log load'), Number(everyMs));
process.once('SIGTERM', () => {
  clearInterval(timer);
  base.shutdown().finally(() => process.exit(0));
});
`;

/** Starts the log load on the side services' Redis URL (through the relay when there is one). */
export function startLogLoad(stack: Stack, everyMs = 50): LoggedProcess {
  const root = repoRoot();
  return startLogged(
    stack.runDir,
    LOG_LOAD,
    process.execPath,
    ['-e', SOURCE, root, String(everyMs)],
    {
      PA_REDIS_URL: stack.redisUrl,
      PA_REDIS_PASSWORD_FILE: stack.redis.passwordFile,
      PA_REDIS_PREFIX: stack.redis.prefix,
    },
  );
}

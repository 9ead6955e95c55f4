import { ExitCode } from '@pa-connector/config';
import { createLogger } from '@pa-connector/logger';
import pino from 'pino';
import { startEmulator } from '../emulator';
import { serveSettings } from './serve-options';

/**
 * `pa-emulator serve`: logs go to stderr as JSON; stdout carries one line,
 * `{"event":"listening",...}`, so scripts can read the URLs.
 */
export async function serve(argv: string[]): Promise<void> {
  const { options, logLevel } = await serveSettings(argv);
  const logger = createLogger({
    service: 'sse-emulator',
    level: logLevel,
    destination: pino.destination({ dest: 2, sync: true }),
  });
  const emulator = await startEmulator({ ...options, logger });
  process.stdout.write(
    `${JSON.stringify({
      event: 'listening',
      sseUrl: emulator.sseUrl,
      adminUrl: emulator.adminUrl,
      ...(emulator.ingressUrl ? { ingressUrl: emulator.ingressUrl } : {}),
      ...(options.endpoints?.length ? { endpoints: emulator.endpoints } : {}),
      caCertPath: emulator.caCertPath,
      dataDir: options.dataDir,
    })}\n`,
  );
  logger.info({ sseUrl: emulator.sseUrl, adminUrl: emulator.adminUrl }, 'listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(ExitCode.failed);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    emulator.close().then(
      () => process.exit(ExitCode.ok),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(ExitCode.failed);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

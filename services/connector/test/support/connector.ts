import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMemberBase } from '@pa-connector/service-runtime';
import {
  checkedForUnhandledRejections,
  spawnTracked,
  type TrackedProcess,
} from '@pa-connector/test-support';
import { loadConnectorConfig } from '../../src/config';
import {
  type ConnectorService,
  registerConfigSecrets,
  startConnectorService,
} from '../../src/service';
import { captureLines } from './capture-logger';

/** A scratch directory for one test's files; removed by cleanup(). */
export function scratch(): {
  dir: string;
  file(name: string, text: string): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'pa-conn-test-'));
  return {
    dir,
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text, { mode: 0o600 });
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Settings for a connector in tests: fast retries and syncs, a random HTTP port. */
export function testEnv(o: {
  sseUrls: string[];
  caCertPath: string;
  dataDir: string;
  redisUrl: string;
  redisPrefix: string;
  keyFile?: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    PA_SSE_URLS: o.sseUrls.join(','),
    PA_SSE_CA_FILE: o.caCertPath,
    PA_DATA_DIR: o.dataDir,
    PA_REDIS_URL: o.redisUrl,
    PA_REDIS_PREFIX: o.redisPrefix,
    PA_HTTP_HOST: '127.0.0.1',
    PA_HTTP_PORT: '0',
    PA_HOSTNAME: 'pop-vm-1',
    PA_LOG_LEVEL: 'debug',
    PA_RETRY_INITIAL_DELAY: '100ms',
    PA_RETRY_MAX_DELAY: '1s',
    PA_CATALOG_INTERVAL: '300ms',
    PA_HEARTBEAT_INTERVAL: '500ms',
    PA_SSE_TIMEOUT: '3s',
    // Tunnels need root, openvpn and a network namespace: only the tunnel tests turn them on.
    PA_TUNNELS: '0',
    ...(o.keyFile ? { PA_PROVISIONING_KEY_FILE: o.keyFile } : {}),
    ...o.extra,
  };
}

export interface InProcessConnector {
  service: ConnectorService;
  url: string;
  /** Every log line, as printed (after secret scrubbing). */
  lines: string[];
  /** Errors the service would have stopped for (exit code in `exitCode`). */
  failures: unknown[];
  stop(): Promise<void>;
}

/**
 * The connector service wired exactly as main.ts does, in this process. Its lines are captured
 * rather than shipped to the Redis log stream, unless `env` turns PA_LOG_TO_REDIS on.
 */
export async function startInProcess(env: Record<string, string>): Promise<InProcessConnector> {
  const config = loadConnectorConfig({ PA_LOG_TO_REDIS: 'false', ...env });
  const { destination, lines } = captureLines();
  const base = startMemberBase('connector', config, {
    secrets: (values) => registerConfigSecrets(config, values),
    destination,
  });
  const failures: unknown[] = [];
  const service = await startConnectorService({
    config,
    base,
    version: '1.0.0-test',
    fail: (err) => failures.push(err),
  });
  let stopped = false;
  return {
    service,
    url: `http://127.0.0.1:${service.address.port}`,
    lines,
    failures,
    async stop() {
      if (stopped) return;
      stopped = true;
      await service.close();
    },
  };
}

const MAIN_JS = resolve(__dirname, '../../dist/main.js');

/**
 * The built service as its own process (`node dist/main.js`), with only the given environment.
 * Its `exited` and `stop()` fail the test if it counted an unhandled promise rejection.
 */
export function spawnConnector(env: Record<string, string>): TrackedProcess {
  return checkedForUnhandledRejections(
    'connector',
    spawnTracked(process.execPath, [MAIN_JS], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    }),
  );
}

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The built CONNECT client (programs/namespace-connect.ts compiled by tsc). Resolved from the
 * package root, so the same file is found whether this module runs from dist/ or, in tests,
 * from src/.
 */
const NAMESPACE_CONNECT_PATH = resolve(
  __dirname,
  '..',
  '..',
  'dist',
  'stack',
  'programs',
  'namespace-connect.js',
);

export interface NamespaceConnectAnswer {
  /** The proxy's answer status (0 when there was none: see `error`). */
  status: number;
  line?: string;
  body?: string;
  error?: string;
  /** Milliseconds from connected to the answer (or the close). */
  ms: number;
}

/** `CONNECT target` to `host:port` from inside the network namespace `netns`. */
export function connectFromNamespace(
  ip: string,
  netns: string,
  host: string,
  port: number,
  target: string,
  slow = false,
): Promise<NamespaceConnectAnswer> {
  return new Promise((resolve, reject) => {
    execFile(
      ip,
      [
        'netns',
        'exec',
        netns,
        process.execPath,
        NAMESPACE_CONNECT_PATH,
        host,
        String(port),
        target,
        ...(slow ? ['slow'] : []),
      ],
      { timeout: 15_000 },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line) as NamespaceConnectAnswer);
        } catch {
          reject(
            new Error(`CONNECT ${target} from ${netns}: ${err?.message ?? ''} ${stderr.trim()}`),
          );
        }
      },
    );
  });
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  // The product version is the root package.json's; in a container image PA_VERSION is set at build.
  if (process.env.PA_VERSION) return process.env.PA_VERSION;
  for (const rel of ['../../../package.json', '../../../../package.json']) {
    try {
      const p = JSON.parse(readFileSync(join(__dirname, rel), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (p.name === 'pa-connector' && p.version) return p.version;
    } catch {
      // not there; try the next candidate
    }
  }
  return '0.0.0';
}

/** The product version every service reports. */
export const PA_VERSION: string = readVersion();

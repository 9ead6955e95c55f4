import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root, seen from `e2e/dist/docker/`. */
export const ROOT = join(__dirname, '../../..');

/** The release version the images are built at by default (four parts, like v1.0.0.3). */
export const VERSION = readFileSync(join(ROOT, 'docker/release-version'), 'utf8').trim();

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Prints the figures of a run, one per line. */
export function printFigures(title: string, figures: Record<string, string>): void {
  console.log(
    `${title}:\n${Object.entries(figures)
      .map(([k, v]) => `  ${k.padEnd(24)} ${v}`)
      .join('\n')}`,
  );
}

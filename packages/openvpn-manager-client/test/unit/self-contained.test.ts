import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const OWN_NAME = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** A bare module name an import or require names (`node:` built-ins excluded). */
const IMPORTED = /(?:from\s+|require\(\s*|import\(\s*)'([^'.][^']*)'/g;

/**
 * The package is published on its own: its sources and tests may use Node's built-ins and its
 * own files only, never another workspace package (it would be missing once installed).
 */
describe('the package is self-contained', () => {
  it.each(['src', 'test'])('%s/ imports nothing outside the package but node: built-ins', (dir) => {
    const outside = files(join(ROOT, dir)).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(IMPORTED)]
        .map((m) => m[1] ?? '')
        // A user's script in a test names the package itself: that is the package, not another.
        .filter((name) => !name.startsWith('node:') && name !== OWN_NAME)
        .map((name) => `${relative(ROOT, file)}: ${name}`),
    );
    expect(outside).toEqual([]);
  });

  it('declares no dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.devDependencies ?? {}).toEqual({});
  });
});

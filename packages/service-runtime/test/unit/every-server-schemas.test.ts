import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../../..');

/** Every TypeScript source file under the src/ folders of the tree's programs and packages. */
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const top of ['packages', 'services']) {
    for (const pkg of readdirSync(join(ROOT, top))) {
      const src = join(ROOT, top, pkg, 'src');
      if (statSync(join(ROOT, top, pkg)).isDirectory() && safeIsDir(src)) walk(src);
    }
  }
  for (const top of ['e2e/src', 'bench/src']) if (safeIsDir(join(ROOT, top))) walk(join(ROOT, top));
  return out;
}

function safeIsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Every route of every server declares its schemas: each server refuses a route without them
 * when it is registered (requireRouteSchemas), so building it in its tests proves it. What this
 * test guards is that no server is made without that refusal: every place that creates a fastify
 * instance also installs it.
 */
describe('every fastify server refuses routes without schemas', () => {
  const files = sources();
  const makers = files.filter((f) => /\bFastify\s*[(<]/.test(readFileSync(f, 'utf8')));

  it('finds the servers (the service server and the emulator apps at least)', () => {
    const names = makers.map((f) => relative(ROOT, f));
    expect(names).toEqual(
      expect.arrayContaining([
        'packages/service-runtime/src/service-server.ts',
        'packages/sse-emulator/src/sse/app.ts',
        'packages/sse-emulator/src/admin/app.ts',
      ]),
    );
  });

  it('each one calls requireRouteSchemas on the instance it makes', () => {
    const without = makers
      .filter((f) => !/\brequireRouteSchemas\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(without).toEqual([]);
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EXIT_CODES, ExitCode } from '../../src';

const ROOT = join(__dirname, '../../../..');
const DOC = 'docs/exit-codes.md';
const known = new Set<number>(Object.values(ExitCode));

/** The table of docs/exit-codes.md, as EXIT_CODES renders it. */
function renderTable(): string {
  const rows = Object.values(EXIT_CODES).map(
    (r) => `| ${r.code} | ${r.meaning} | ${r.programs} | ${r.action} |`,
  );
  return [
    '| code | meaning | programs | what the operator does |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(name)) out.push(path);
  }
  return out;
}

/** Every exit status a shell script can end with: `exit N`, `die N`, `readonly E_X=N` and its help. */
function shellCodes(text: string): number[] {
  const codes: number[] = [];
  for (const m of text.matchAll(/\b(?:exit|die)\s+(\d+)\b/g)) codes.push(Number(m[1]));
  for (const m of text.matchAll(/\bE_[A-Z]+=(\d+)\b/g)) codes.push(Number(m[1]));
  for (const m of text.matchAll(/^exit codes:([^.]*)\./gm)) {
    for (const n of (m[1] ?? '').matchAll(/(?:^|,)\s*(\d+)\s/g)) codes.push(Number(n[1]));
  }
  return codes;
}

const shellScripts = [
  join(ROOT, 'infra.sh'),
  join(ROOT, 'pa_connector.sh'),
  ...filesUnder(join(ROOT, 'docker'), (n) => n.endsWith('.sh')),
];

describe('one exit-code table for every program', () => {
  it('gives every code one name and one meaning', () => {
    const codes = Object.values(EXIT_CODES).map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
    expect(ExitCode).toMatchObject({ ok: 0, failed: 1, usage: 64, config: 78 });
  });

  it(`${DOC} holds the table generated from packages/config/src/exit-codes.ts`, () => {
    const doc = readFileSync(join(ROOT, DOC), 'utf8');
    // When this fails, replace the table in the document with the one printed here.
    expect(doc).toContain(renderTable());
  });

  it.each(shellScripts.map((p) => [relative(ROOT, p), p]))(
    '%s ends only with codes of the table (its help text included)',
    (_name, path) => {
      const codes = shellCodes(readFileSync(path, 'utf8'));
      expect(codes.filter((c) => !known.has(c))).toEqual([]);
    },
  );

  it('the shell scripts that name their codes use the numbers of the table', () => {
    const infra = readFileSync(join(ROOT, 'infra.sh'), 'utf8');
    expect(infra).toMatch(
      new RegExp(
        `E_FAIL=${ExitCode.failed} E_USAGE=${ExitCode.usage} E_PREREQ=${ExitCode.unavailable}\\b`,
      ),
    );
    const menu = readFileSync(join(ROOT, 'pa_connector.sh'), 'utf8');
    expect(menu).toMatch(
      new RegExp(
        `E_USAGE=${ExitCode.usage} E_UNAVAILABLE=${ExitCode.unavailable} E_CONFIG=${ExitCode.config}\\b`,
      ),
    );
  });

  it('no TypeScript program exits with a number the table does not have', () => {
    const sources = ['packages', 'services', 'e2e', 'bench'].flatMap((top) =>
      filesUnder(join(ROOT, top), (n) => n.endsWith('.ts') && !n.endsWith('.d.ts')).filter((p) =>
        relative(ROOT, p).split('/').includes('src'),
      ),
    );
    expect(sources.length).toBeGreaterThan(100);
    const strays: string[] = [];
    for (const path of sources) {
      const text = readFileSync(path, 'utf8');
      for (const m of text.matchAll(/process\.exit(?:\((\d+)\)|Code\s*=\s*(\d+))/g)) {
        const code = Number(m[1] ?? m[2]);
        if (!known.has(code)) strays.push(`${relative(ROOT, path)}: ${m[0]}`);
      }
    }
    expect(strays).toEqual([]);
  });

  it('finds the codes it checks (the scanners are not blind)', () => {
    expect(shellCodes('die 4 "x"\nexit 2\nreadonly E_A=9 E_B=7\nexit codes: 0 ok, 3 x.\n')).toEqual(
      [4, 2, 9, 7, 0, 3],
    );
  });
});

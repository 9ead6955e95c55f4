import { cloudEnvOf, fillCloudBlock, findCloudBlock } from '../../../src/package/cloud-block';

const SCRIPT = `#!/usr/bin/env bash
set -euo pipefail
# >>> cloud package settings (written by the packager; empty in a source checkout)
PKG_CLOUD_ENV=''
PKG_CLOUD_CA=''
# <<< cloud package settings
echo done
`;
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('fillCloudBlock', () => {
  it('fills both values in order and leaves every other line alone', () => {
    const filled = fillCloudBlock(
      SCRIPT,
      { PA_COLLECTOR_URLS: 'https://a:1,https://b:2', PA_REGISTRATION_URL: 'https://r:8080' },
      CA,
    );
    expect(filled).toBe(`#!/usr/bin/env bash
set -euo pipefail
# >>> cloud package settings (written by the packager; empty in a source checkout)
PKG_CLOUD_ENV='PA_REGISTRATION_URL=https://r:8080
PA_COLLECTOR_URLS=https://a:1,https://b:2'
PKG_CLOUD_CA='-----BEGIN CERTIFICATE-----
MIIB
-----END CERTIFICATE-----'
# <<< cloud package settings
echo done
`);
    // Filling again replaces, not appends.
    expect(fillCloudBlock(filled, { PA_SSE_URLS: 'https://s' }, CA)).toContain(
      "PKG_CLOUD_ENV='PA_SSE_URLS=https://s'\nPKG_CLOUD_CA=",
    );
  });

  it('refuses a value with a single quote or a line break', () => {
    expect(() => fillCloudBlock(SCRIPT, { PA_TOKEN_URL: "https://x/'y" }, CA)).toThrow(
      'PKG_CLOUD_ENV would contain a single quote; the package refuses it',
    );
    expect(() => fillCloudBlock(SCRIPT, {}, "-----BEGIN'")).toThrow(
      'PKG_CLOUD_CA would contain a single quote',
    );
    expect(() => fillCloudBlock(SCRIPT, { PA_TOKEN_URL: 'a\nPA_X=1' }, CA)).toThrow(
      'PA_TOKEN_URL must be one line',
    );
  });

  it('needs exactly one block, begin before end', () => {
    expect(() => findCloudBlock('echo hi\n')).toThrow(/exactly one .* block \(found 0 and 0\)/);
    const twice = SCRIPT + SCRIPT;
    expect(() => findCloudBlock(twice)).toThrow(/found 2 and 2/);
    const reversed = '# <<< cloud package settings\n# >>> cloud package settings\n';
    expect(() => findCloudBlock(reversed)).toThrow(/comes before its begin line/);
  });
});

describe('cloudEnvOf', () => {
  const table = {
    profile: 'onprem' as const,
    sseUrl: 'https://127.0.0.1:8443',
    endpoints: {
      registration: ['https://wgcs.example.test'],
      tokens: ['https://iam.example.test'],
      catalog: ['https://127.0.0.1:8443'],
      collector: ['https://s1.example.test:5640', 'https://s2.example.test:5640'],
    },
    pops: [],
    rows: [],
  };
  it('gives each purpose its URL when the emulator has endpoints', () => {
    expect(cloudEnvOf(table, true)).toEqual({
      PA_CLOUD_PROFILE: 'onprem',
      PA_REGISTRATION_URL: 'https://wgcs.example.test',
      PA_TOKEN_URL: 'https://iam.example.test',
      PA_CATALOG_URL: 'https://127.0.0.1:8443',
      PA_COLLECTOR_URLS: 'https://s1.example.test:5640,https://s2.example.test:5640',
    });
  });
  it('gives the one combined listener otherwise', () => {
    expect(cloudEnvOf(table, false)).toEqual({ PA_SSE_URLS: 'https://127.0.0.1:8443' });
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProvisioningKey, parseProvisioningKey } from '../../src/provisioning-key';

/**
 * infra.sh checks a key in bash before it installs anything, and the connector checks it again
 * with parseProvisioningKey before it sends it. If they disagreed, infra.sh would install a POP
 * whose connector then stops on its key, or refuse a key the cloud issued: both read every key
 * here alike, with the same reason.
 */
const INFRA = join(__dirname, '../../../../infra.sh');
const SECRET = 'S3cr3t-value_0123456789abcdefghijklmnopqrst';
const FIELDS = {
  connectorName: 'ZTNAalpha',
  customerId: 'cus_0123',
  keyId: '0123456789abcdef',
  secret: SECRET,
};
const tokenOf = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const json = (o: object) => tokenOf(JSON.stringify(o));

function cases(): string[] {
  const good = formatProvisioningKey(FIELDS);
  const list = [
    good,
    formatProvisioningKey({ ...FIELDS, connectorName: 'Zürich "HQ" \\ 東京 🙂', groupId: 'grp_1' }),
    formatProvisioningKey({ ...FIELDS, connectorName: 'é'.repeat(100) }),
    json({ ...FIELDS, connectorName: 'é'.repeat(101) }),
    json({ ...FIELDS, connectorName: 'a\nb' }),
    json({ ...FIELDS, connectorName: 'a\u007fb' }),
    json({ ...FIELDS, connectorName: ' ' }),
    tokenOf(
      `{"connectorName":"a\\\\nb","customerId":"c","keyId":"0123456789abcdef","secret":"${SECRET}"}`,
    ),
    tokenOf(
      `{"connectorName":"\\u00e9\\"","customerId":"c","keyId":"0123456789abcdef","secret":"${SECRET}"}`,
    ),
    tokenOf(
      `\n{ "connectorName" : "x" ,\t"customerId":"c","keyId":"0123456789abcdef","secret":"${SECRET}" }\r\n`,
    ),
    json({ connectorName: 'ZTNAalpha', customerId: '1-50E5B9A651E4' }),
    json({ ...FIELDS, keyId: 12 }),
    json({ ...FIELDS, secret: null }),
    json({ ...FIELDS, groupId: ['g'] }),
    json({ ...FIELDS, extra: 'x' }),
    json({ ...FIELDS, customerId: '-c' }),
    json({ ...FIELDS, groupId: 'g/1' }),
    json([FIELDS]),
    json({}),
    tokenOf('"key"'),
    tokenOf('42'),
    tokenOf('not json'),
    Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url'),
    Buffer.from('{"connectorName":"a\u0000b"}').toString('base64url'),
    '',
    `pak1.0123456789abcdef.${SECRET}`,
    `${good}==`,
    'A'.repeat(1025),
    // The operator documentation's example (its customer id is redacted).
    'eyJjb25uZWN0b3JOYW1lIjoiWlROQWFscGhhIiwiY3VzdG9tZXJJZCI6IjEjcyLTUwRTVCOUE2NTFFNCJ9',
  ];
  // Every length of a key cut short, and one character changed at steps along it.
  for (let n = 1; n < good.length; n += 5) list.push(good.slice(0, n));
  for (let i = 0; i < good.length; i += 11) {
    for (const c of ['A', 'w', '_', '-', '0']) list.push(good.slice(0, i) + c + good.slice(i + 1));
  }
  return list;
}

describe('infra.sh reads a provisioning key as parseProvisioningKey does', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'pa-infra-key-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes the keys it takes and refuses the others with the same reason', () => {
    const all = cases();
    expect(all.filter((k) => parseProvisioningKey(k).ok).length).toBeGreaterThan(5);
    expect(all.filter((k) => !parseProvisioningKey(k).ok).length).toBeGreaterThan(60);
    const seen: Array<{ key: string; parser: string; infra: string }> = [];
    for (const key of all) {
      // --dry-run under a root of its own with Docker off: an accepted key goes on to the host's
      // checks and changes nothing.
      const r = spawnSync(
        'bash',
        [INFRA, `--provision_key=${key}`, '--gateway=us-east', '--dry-run'],
        {
          env: { PATH: process.env.PATH, PA_INFRA_ROOT: root, PA_INFRA_SKIP_DOCKER: '1' },
          encoding: 'utf8',
          timeout: 20_000,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const refusal =
        /^infra\.sh: --provision_key: (?:the provisioning key is malformed: (.*) \(see --help\); nothing was done|the value is empty.*)$/m.exec(
          r.stderr,
        );
      const infra = refusal ? (refusal[1] ?? 'it is empty') : 'accepted';
      const parsed = parseProvisioningKey(key);
      const parser = parsed.ok ? 'accepted' : parsed.reason;
      // Refused: the usage code; taken: on to the host's checks, which this host may fail.
      expect(r.status === 64).toBe(refusal !== null);
      if (key.length > 8) expect(r.stdout + r.stderr).not.toContain(key);
      seen.push({ key, parser, infra });
    }
    expect(seen.filter((s) => s.parser !== s.infra)).toEqual([]);
  });
});

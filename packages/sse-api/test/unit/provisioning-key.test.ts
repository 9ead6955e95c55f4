import {
  formatProvisioningKey,
  MAX_PROVISIONING_KEY_LENGTH,
  type ProvisioningKey,
  parseProvisioningKey,
  provisioningKeyFieldProblem,
} from '../../src/provisioning-key';

const SECRET = 'S3cr3t-Value_0123456789abcdefghijklmnopqrst';
const KEY: ProvisioningKey = {
  connectorName: 'ZTNAalpha',
  customerId: 'cus_1-50E5B9A651E4',
  keyId: '0123456789abcdef',
  secret: SECRET,
};

/** base64url (no padding) of any text: a token as a key would be, whatever it holds. */
const token = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const tokenOf = (o: unknown) => token(JSON.stringify(o));

function reasonOf(text: string): string {
  const r = parseProvisioningKey(text);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(r.key)}`);
  expect(r.reason).not.toContain(SECRET);
  expect(r.reason).not.toContain(SECRET.slice(0, 12));
  return r.reason;
}

describe('provisioning key', () => {
  it('is base64url JSON that reads back as the key it was made of', () => {
    const text = formatProvisioningKey({ ...KEY, groupId: 'grp_00ff' });
    expect(text).toMatch(/^eyJjb25uZWN0b3JOYW1lIjoiWlROQWFscGhhIiwiY3VzdG9tZXJJZCI6/);
    expect(text).not.toContain('=');
    expect(JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))).toEqual({
      connectorName: 'ZTNAalpha',
      customerId: 'cus_1-50E5B9A651E4',
      keyId: '0123456789abcdef',
      secret: SECRET,
      groupId: 'grp_00ff',
    });
    expect(parseProvisioningKey(text)).toEqual({
      ok: true,
      key: { ...KEY, groupId: 'grp_00ff' },
      token: text,
    });
  });

  it('writes the fields in one order, whatever order it is given them in', () => {
    const shuffled = { secret: KEY.secret, keyId: KEY.keyId, customerId: KEY.customerId };
    expect(formatProvisioningKey({ ...shuffled, connectorName: KEY.connectorName })).toBe(
      tokenOf(KEY),
    );
  });

  it('drops whitespace anywhere: a trailing newline, a line broken by the terminal', () => {
    const text = formatProvisioningKey(KEY);
    const pasted = ` ${text.slice(0, 30)}\r\n\t${text.slice(30)}\n`;
    expect(parseProvisioningKey(pasted)).toEqual({ ok: true, key: KEY, token: text });
  });

  it('takes a group name of any script, with quotes, up to 100 characters', () => {
    for (const connectorName of [
      'Zürich "HQ"',
      '東京オフィス',
      'a'.repeat(100),
      '🙂'.repeat(100),
    ]) {
      const r = parseProvisioningKey(formatProvisioningKey({ ...KEY, connectorName }));
      expect(r.ok && r.key.connectorName).toBe(connectorName);
    }
  });

  it('keeps the longest well-formed key within the length bound', () => {
    const longest = formatProvisioningKey({
      connectorName: '🙂'.repeat(100),
      customerId: `c${'x'.repeat(63)}`,
      keyId: KEY.keyId,
      secret: SECRET,
      groupId: `g${'y'.repeat(63)}`,
    });
    expect(longest.length).toBeLessThanOrEqual(MAX_PROVISIONING_KEY_LENGTH);
  });

  describe('refuses, saying what is wrong and never quoting the secret', () => {
    const good = formatProvisioningKey(KEY);

    it.each([
      ['nothing', '', 'it is empty'],
      ['only whitespace', ' \n\t', 'it is empty'],
      [
        'a key over the bound',
        'A'.repeat(MAX_PROVISIONING_KEY_LENGTH + 1),
        'it is longer than 1024 characters',
      ],
      [
        'standard base64 characters',
        `${good.slice(0, 10)}+${good.slice(11)}`,
        'it is not base64url: a character other than A-Z a-z 0-9 - _ at position 11',
      ],
      ['padding', `${tokenOf(KEY).slice(0, -1)}=`, "it is not base64url: '=' padding at position"],
      ['a dot', `pak1.0123456789abcdef.${SECRET}`, 'position 5'],
      [
        'a token cut one character short of a byte',
        `${good}A`.slice(0, good.length - (good.length % 4) + 1),
        'it is not base64url: its length or last character is impossible (cut short?)',
      ],
      [
        'a last character with stray bits',
        `${token('{}ab').slice(0, -1)}B`,
        'it is not base64url: its length or last character is impossible',
      ],
      ['text that is not JSON', token('connectorName=ZTNAalpha'), 'it does not decode to JSON'],
      ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url'), 'JSON'],
      ['a JSON array', tokenOf([KEY]), 'it decodes to JSON that is not an object'],
      ['a JSON string', tokenOf('key'), 'it decodes to JSON that is not an object'],
      ['JSON null', tokenOf(null), 'it decodes to JSON that is not an object'],
      [
        'the operator documentation example',
        tokenOf({ connectorName: 'ZTNAalpha', customerId: 'c1' }),
        'field "keyId" is missing',
      ],
      [
        'no connectorName',
        tokenOf({ ...KEY, connectorName: undefined }),
        'field "connectorName" is missing',
      ],
      [
        'no customerId',
        tokenOf({ ...KEY, customerId: undefined }),
        'field "customerId" is missing',
      ],
      ['no secret', tokenOf({ ...KEY, secret: undefined }), 'field "secret" is missing'],
      ['a number for keyId', tokenOf({ ...KEY, keyId: 1234 }), 'field "keyId" is not a string'],
      [
        'an object for secret',
        tokenOf({ ...KEY, secret: { v: SECRET } }),
        'field "secret" is not a string',
      ],
      ['a number for groupId', tokenOf({ ...KEY, groupId: 7 }), 'field "groupId" is not a string'],
      [
        'upper-case hex',
        tokenOf({ ...KEY, keyId: '0123456789ABCDEF' }),
        'field "keyId" must be 16 lowercase hex digits',
      ],
      [
        '15 hex digits',
        tokenOf({ ...KEY, keyId: '0123456789abcde' }),
        'field "keyId" must be 16 lowercase hex digits',
      ],
      [
        'a secret one short',
        tokenOf({ ...KEY, secret: SECRET.slice(1) }),
        'field "secret" must be 43 base64url characters',
      ],
      [
        'a secret with +',
        tokenOf({ ...KEY, secret: `${SECRET.slice(1)}+` }),
        'field "secret" must be 43 base64url characters',
      ],
      [
        'a blank name',
        tokenOf({ ...KEY, connectorName: '  ' }),
        'field "connectorName" must be 1 to 100 characters, not blank',
      ],
      ['an empty name', tokenOf({ ...KEY, connectorName: '' }), 'field "connectorName" must be'],
      [
        'a name of 101',
        tokenOf({ ...KEY, connectorName: 'n'.repeat(101) }),
        'field "connectorName" must be',
      ],
      [
        'a newline in the name',
        tokenOf({ ...KEY, connectorName: 'a\nb' }),
        'no control characters',
      ],
      [
        'a customer id with a space',
        tokenOf({ ...KEY, customerId: 'cus 1' }),
        'field "customerId" must be an id of 1 to 64 characters',
      ],
      [
        'a customer id of 65',
        tokenOf({ ...KEY, customerId: 'c'.repeat(65) }),
        'field "customerId" must be',
      ],
      [
        'a group id with a slash',
        tokenOf({ ...KEY, groupId: 'grp/1' }),
        'field "groupId" must be an id',
      ],
      [
        'an unknown field',
        tokenOf({ ...KEY, region: 'us-west' }),
        'it has a field that is not a key\'s ("region"); a key has connectorName, customerId, keyId, secret, groupId',
      ],
    ])('%s', (_what, text, reason) => {
      expect(reasonOf(text)).toContain(reason);
    });

    it('quotes an unknown field name cut to 40 characters', () => {
      const reason = reasonOf(tokenOf({ ...KEY, ['f'.repeat(100)]: 'x' }));
      expect(reason).toContain(`("${'f'.repeat(40)}")`);
      expect(reason).not.toContain('f'.repeat(41));
    });
  });

  it('will not make a key of fields no key can carry', () => {
    expect(() => formatProvisioningKey({ ...KEY, keyId: 'nothex' })).toThrow(
      'not a provisioning key: field "keyId" must be 16 lowercase hex digits',
    );
  });

  it('says why a group name or tenant id cannot go in a key', () => {
    expect(provisioningKeyFieldProblem('connectorName', 'branch office')).toBeUndefined();
    expect(provisioningKeyFieldProblem('connectorName', 'tab\there')).toMatch(/no control/);
    expect(provisioningKeyFieldProblem('customerId', 'cus_1')).toBeUndefined();
    expect(provisioningKeyFieldProblem('customerId', '-x')).toMatch(/^must be an id/);
  });
});

/**
 * A provisioning key is a token the cloud hands out when a connector group is created: base64url
 * (no padding) of a JSON object of strings,
 *
 *   {"connectorName":"branch-office","customerId":"cus_0123","keyId":"0123456789abcdef","secret":"…"}
 *
 * `connectorName` is the group's name, `customerId` the tenant, `keyId` 16 lowercase hex (public,
 * shown in listings), `secret` 43 base64url characters (32 random bytes; the SSE stores only its
 * hash), and `groupId` is optional. Nothing else is a key: a token that does not decode to exactly
 * this is malformed and is never sent. infra.sh checks the same shape in bash.
 */
export interface ProvisioningKey {
  connectorName: string;
  customerId: string;
  keyId: string;
  secret: string;
  groupId?: string;
}

/**
 * The longest key taken. The largest well-formed key (a 100-character name of 4-byte characters,
 * every id at its longest) is about 880 characters.
 */
export const MAX_PROVISIONING_KEY_LENGTH = 1024;

/** The most characters of a group name a key carries (the group name rule of the SSE). */
export const MAX_CONNECTOR_NAME_LENGTH = 100;

const BASE64URL = /^[A-Za-z0-9_-]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

interface FieldRule {
  required: boolean;
  check(value: string): boolean;
  /** What the value must be, completing `field "x" must be …`. */
  form: string;
}

/** Every field a key may have, in the order a key is written. */
const FIELDS: Record<keyof ProvisioningKey, FieldRule> = {
  connectorName: {
    required: true,
    // Counted in characters (code points), as the SSE counts a group name's.
    check: (v) =>
      [...v].length <= MAX_CONNECTOR_NAME_LENGTH && v.trim().length > 0 && !CONTROL.test(v),
    form: `1 to ${MAX_CONNECTOR_NAME_LENGTH} characters, not blank, no control characters`,
  },
  customerId: {
    required: true,
    check: (v) => ID.test(v),
    form: 'an id of 1 to 64 characters: A-Z a-z 0-9 . _ - (not starting with . _ -)',
  },
  keyId: {
    required: true,
    check: (v) => /^[0-9a-f]{16}$/.test(v),
    form: '16 lowercase hex digits',
  },
  secret: {
    required: true,
    check: (v) => /^[A-Za-z0-9_-]{43}$/.test(v),
    form: '43 base64url characters',
  },
  groupId: {
    required: false,
    check: (v) => ID.test(v),
    form: 'an id of 1 to 64 characters: A-Z a-z 0-9 . _ - (not starting with . _ -)',
  },
};

const FIELD_NAMES = Object.keys(FIELDS) as (keyof ProvisioningKey)[];

/**
 * Why `value` cannot be the key field `field` (`must be …`), or undefined when it can: lets the
 * SSE refuse a group name or tenant id that no key could carry before it issues one.
 */
export function provisioningKeyFieldProblem(
  field: keyof ProvisioningKey,
  value: string,
): string | undefined {
  const rule = FIELDS[field];
  return rule.check(value) ? undefined : `must be ${rule.form}`;
}

/** A key read from text: the key and its canonical token, or why it is not a key. */
export type ProvisioningKeyParse =
  | { ok: true; key: ProvisioningKey; token: string }
  | { ok: false; reason: string };

function refused(reason: string): ProvisioningKeyParse {
  return { ok: false, reason };
}

/**
 * Reads a key as an operator pasted it: whitespace anywhere (a line break of the terminal or the
 * file's last newline) is dropped. A refusal's `reason` names what is wrong and never quotes the
 * key or its secret, so it may be logged and shown.
 */
export function parseProvisioningKey(text: string): ProvisioningKeyParse {
  const token = text.replace(/\s+/g, '');
  if (token === '') return refused('it is empty');
  if (token.length > MAX_PROVISIONING_KEY_LENGTH) {
    return refused(`it is longer than ${MAX_PROVISIONING_KEY_LENGTH} characters`);
  }
  if (!BASE64URL.test(token)) {
    const at = [...token].findIndex((c) => !BASE64URL.test(c));
    const what = token[at] === '=' ? "'=' padding" : 'a character other than A-Z a-z 0-9 - _';
    return refused(`it is not base64url: ${what} at position ${at + 1}`);
  }
  const bytes = Buffer.from(token, 'base64url');
  // Buffer ignores a dangling character or stray low bits: a token that does not encode back to
  // itself was cut or altered.
  if (bytes.toString('base64url') !== token) {
    return refused('it is not base64url: its length or last character is impossible (cut short?)');
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return refused('it does not decode to JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return refused('it decodes to JSON that is not an object');
  }
  const fields = json as Record<string, unknown>;
  const unknownField = Object.keys(fields).find((f) => !(f in FIELDS));
  if (unknownField !== undefined) {
    return refused(
      `it has a field that is not a key's (${JSON.stringify(unknownField.slice(0, 40))}); a key has ${FIELD_NAMES.join(', ')}`,
    );
  }
  const key: Partial<ProvisioningKey> = {};
  for (const name of FIELD_NAMES) {
    const rule = FIELDS[name];
    const value = fields[name];
    if (value === undefined) {
      if (rule.required) return refused(`field "${name}" is missing`);
      continue;
    }
    if (typeof value !== 'string') return refused(`field "${name}" is not a string`);
    const problem = provisioningKeyFieldProblem(name, value);
    if (problem) return refused(`field "${name}" ${problem}`);
    key[name] = value;
  }
  return { ok: true, key: key as ProvisioningKey, token };
}

/** The token of a key; throws on a field that does not have its form (a bug of the caller). */
export function formatProvisioningKey(key: ProvisioningKey): string {
  const ordered: Partial<ProvisioningKey> = {};
  for (const name of FIELD_NAMES) {
    if (key[name] !== undefined) ordered[name] = key[name];
  }
  const token = Buffer.from(JSON.stringify(ordered), 'utf8').toString('base64url');
  const parsed = parseProvisioningKey(token);
  if (!parsed.ok) throw new TypeError(`not a provisioning key: ${parsed.reason}`);
  return token;
}

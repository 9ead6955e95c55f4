// Demo profile only: makes the emulator's group "demo" with the demo app (demo-app:8080) and a
// one-use provisioning key, writes the key into the connector's provisioning-key secret file and
// the emulator CA into its config directory, then exits. Run again, it keeps a key the emulator still knows as active.
//
// The secret file is bind-mounted into the connector as a file, so it is rewritten in place
// (same inode) rather than replaced. The key is never printed.

const fs = require('node:fs');
const path = require('node:path');

const admin = (process.env.PA_EMULATOR_ADMIN_URL || 'http://emulator:8444').replace(/\/$/, '');
const keyFile = process.env.PA_DEMO_KEY_FILE || '/pa/secrets/provisioning-key';
const caFile = process.env.PA_DEMO_CA_FILE || '/pa/config/sse-ca.pem';
const groupName = process.env.PA_DEMO_GROUP || 'demo';
const appHost = process.env.PA_DEMO_APP_HOST || 'demo-app';
const appPort = Number(process.env.PA_DEMO_APP_PORT || 8080);

function fail(message) {
  process.stderr.write(`demo-provision: ${message}\n`);
  process.exit(1);
}

async function api(method, route, body) {
  const res = await fetch(admin + route, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text };
}

async function json(method, route, body) {
  const { status, text } = await api(method, route, body);
  if (status < 200 || status > 299) fail(`${method} ${route} answered ${status}`);
  return JSON.parse(text);
}

/** The public `keyId` a key carries (base64url JSON), or undefined when the text is not a key. */
function keyIdOf(text) {
  try {
    const id = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')).keyId;
    return typeof id === 'string' && /^[0-9a-f]{16}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The key id of the key in the file, when it holds one. */
function currentKeyId() {
  let text;
  try {
    text = fs.readFileSync(keyFile, 'utf8').trim();
  } catch (err) {
    fail(`cannot read ${keyFile} (${err.code}): create it first (docker/init-secrets.sh)`);
  }
  return keyIdOf(text);
}

function writeInPlace(file, content) {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, content, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function main() {
  const ca = await api('GET', '/admin/ca');
  if (ca.status !== 200 || !ca.text.includes('BEGIN CERTIFICATE')) {
    fail(`GET /admin/ca answered ${ca.status}`);
  }
  const tmp = path.join(path.dirname(caFile), `.${path.basename(caFile)}.tmp`);
  fs.writeFileSync(tmp, ca.text, { mode: 0o644 });
  fs.renameSync(tmp, caFile);
  console.log(`demo-provision: emulator CA written to ${caFile}`);

  // The group and its app first: a re-run keeps both as they should be.
  const groups = await json('GET', '/admin/groups');
  const list = Array.isArray(groups) ? groups : groups.groups || [];
  const group =
    list.find((g) => g.name === groupName) ||
    (await json('POST', '/admin/groups', { name: groupName }));
  await json('PUT', `/admin/groups/${encodeURIComponent(group.id)}/apps`, [
    {
      id: 'demo-web',
      name: 'Demo web app',
      host: appHost,
      port: appPort,
      servers: [{ host: appHost, port: appPort }],
      strategy: 'round-robin',
      healthCheck: { type: 'http', path: '/', expectStatus: 200 },
    },
  ]);
  console.log(`demo-provision: app demo-web (${appHost}:${appPort}) in group ${group.id}`);

  const keyId = currentKeyId();
  if (keyId) {
    const known = await api('GET', `/admin/keys/${encodeURIComponent(keyId)}`);
    const status = known.status === 200 ? JSON.parse(known.text).status : undefined;
    if (status === 'active') {
      console.log(`demo-provision: provisioning key ${keyId} is still active; kept`);
      return;
    }
    // A used-up key is fine when the connector has enrolled with it.
    const connectors = await json('GET', '/admin/connectors');
    if (status === 'exhausted' && Array.isArray(connectors) && connectors.length > 0) {
      console.log(`demo-provision: provisioning key ${keyId} was used; kept`);
      return;
    }
  }
  const created = await json('POST', `/admin/groups/${encodeURIComponent(group.id)}/keys`, {
    maxUses: 1,
    expiresInSeconds: 86400,
  });
  if (typeof created.key !== 'string') fail('the emulator answered a key without `key`');
  writeInPlace(keyFile, created.key);
  console.log(
    `demo-provision: provisioning key ${keyIdOf(created.key) ?? '?'} of group ${group.id} written to ${keyFile}`,
  );
}

main().catch((err) =>
  fail(err?.cause ? `${err.message} (${err.cause.code || err.cause.message})` : String(err)),
);

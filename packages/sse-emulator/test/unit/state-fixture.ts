import { randomBytes } from 'node:crypto';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  parseCsr,
  signCertificate,
} from '@pa-connector/pki';
import { FakeClock } from '@pa-connector/test-support';
import { DEFAULT_REGIONS, EmulatorState } from '../../src';
import { caIssuer } from '../../src/state/issuer';
import { newIdentity, type TestIdentity } from '../support/identity';

let ca: CertificateAuthority | undefined;
let identity: TestIdentity | undefined;

/** One CA and one connector key per test file: key generation is the slow part. */
export function fixtureCa(): CertificateAuthority {
  ca ??= createCertificateAuthority({
    commonName: 'Unit CA',
    now: new Date(Date.now() - 86_400_000),
  });
  return ca;
}

export function fixtureIdentity(): TestIdentity {
  identity ??= newIdentity();
  return identity;
}

export function newState(o: { certLifetimeSeconds?: number; tokenLifetimeSeconds?: number } = {}) {
  const clock = new FakeClock(Date.now());
  const state = new EmulatorState({
    regions: DEFAULT_REGIONS,
    certLifetimeSeconds: o.certLifetimeSeconds ?? 86_400,
    tokenLifetimeSeconds: o.tokenLifetimeSeconds ?? 60,
    issuer: caIssuer(fixtureCa()),
    clock: clock.dateClock,
    random: randomBytes,
  });
  return { state, clock };
}

export function registerOne(state: EmulatorState, key: string, hostname = 'host-1') {
  return state.register({ provisioningKey: key, csr: fixtureIdentity().csr, hostname });
}

export function foreignCert(commonName: string): string {
  const other = createCertificateAuthority({ commonName: 'Other CA' });
  return signCertificate({
    ca: other,
    publicKeyPem: parseCsr(fixtureIdentity().csr).publicKeyPem,
    commonName,
    lifetimeSeconds: 3600,
    usage: 'client',
  }).certPem;
}

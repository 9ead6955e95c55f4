import { createCsr, generateKeyPair } from '@pa-connector/pki';

export interface TestIdentity {
  privateKeyPem: string;
  csr: string;
}

/** A connector-side key pair and CSR, as the connector would make them. */
export function newIdentity(commonName = 'host-1'): TestIdentity {
  const { privateKeyPem } = generateKeyPair();
  return { privateKeyPem, csr: createCsr({ privateKeyPem, commonName }) };
}

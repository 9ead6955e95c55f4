import { ExitCode } from '@pa-connector/config';
import { LogField, type Logger } from '@pa-connector/logger';
import {
  certificateInfo,
  createCsr,
  generateKeyPair,
  type KeyPairPem,
  keyMatchesCertificate,
  verifyChain,
} from '@pa-connector/pki';
import { type BackoffPolicy, logRetries, retry, ServiceExit } from '@pa-connector/service-runtime';
import {
  parseProvisioningKey,
  type RegisterResponse,
  type SseClient,
  SseProtocolError,
} from '@pa-connector/sse-api';
import { AbortedError, type Clock, type Random } from '../clock';
import type { Identity } from '../identity/identity';
import { IdentityError } from '../identity/identity-error';
import type { IdentityStore } from '../identity/identity-store';
import type { ConnectorMetrics } from '../metrics';
import { checkedRegistration } from './answer-check';
import { enrollmentFailure } from './enrollment-failure';
import { checkGatewayResolves, GatewayUnresolvedError } from './gateway-check';
import type { PendingKeyStore } from './pending-key';

export interface EnrollOptions {
  client: Pick<SseClient, 'register'>;
  store: Pick<IdentityStore, 'save'>;
  /** The revealed provisioning key; undefined when none is configured. */
  provisioningKey: string | undefined;
  hostname: string;
  region?: string;
  /**
   * The gateway the operator named (a hostname or address, without port): registered for
   * instead of `region`.
   */
  gateway?: string;
  /**
   * Resolves the gateway's name before each registration attempt (the connector's own
   * resolver); absent when the gateway is reached through the proxy, which resolves it.
   */
  resolveGateway?: (host: string) => Promise<unknown[]>;
  version: string;
  clock: Clock;
  random: Random;
  backoff: BackoffPolicy;
  signal?: AbortSignal;
  logger: Logger;
  metrics: Pick<ConnectorMetrics, 'enrollmentAttempts'>;
  generateKeyPair?: () => KeyPairPem;
  /**
   * Where the key pair of an unfinished enrollment is kept across restarts; without it the key
   * pair lives for this call only (kept across its retries either way).
   */
  pendingKey?: PendingKeyStore;
}

/**
 * Enrolls: checks the provisioning key's shape locally (a malformed key is never sent; the line
 * that stops the connector says what is wrong with it), generates the key pair here (the private
 * key never leaves the host), registers a CSR with the key, checks the answer and stores the
 * identity atomically. Unreachable or failing SSEs are
 * retried with capped, jittered backoff; a refusal ends in a ServiceExit naming the reason, with
 * nothing stored.
 */
export async function enroll(o: EnrollOptions): Promise<Identity> {
  const log = o.logger;
  if (o.provisioningKey === undefined) {
    throw new ServiceExit(
      'not enrolled and PA_PROVISIONING_KEY_FILE is not set: a provisioning key is needed to enroll',
      ExitCode.config,
      { code: 'provisioning_key_missing' },
    );
  }
  const parsed = parseProvisioningKey(o.provisioningKey);
  if (!parsed.ok) {
    o.metrics.enrollmentAttempts.inc({ result: 'permanent_error' });
    // The reason names what is wrong without quoting the key.
    throw new ServiceExit(
      `provisioning key in PA_PROVISIONING_KEY_FILE is malformed: ${parsed.reason}; nothing was sent to the SSE`,
      ExitCode.keyInvalid,
      { code: 'provisioning_key_malformed' },
    );
  }
  const { key, token } = parsed;
  // One key pair (so one CSR) for every attempt, and for every start until enrolled: the SSE
  // answers a repeated registration with the same CSR with the same registration, so an answer
  // lost in transit does not cost another use of the provisioning key.
  const privateKeyPem = await pendingPrivateKey(o);
  const csr = createCsr({ privateKeyPem, commonName: o.hostname });
  log.info(
    {
      keyId: key.keyId,
      connectorName: key.connectorName,
      hostname: o.hostname,
      ...(o.gateway ? { gateway: o.gateway } : o.region ? { [LogField.region]: o.region } : {}),
    },
    'enrolling with the SSE',
  );
  // The gateway names the PoP to register for; the region is for a connector given none.
  const where = o.gateway ? { gateway: o.gateway } : o.region ? { region: o.region } : {};

  let response: RegisterResponse;
  try {
    response = await retry(
      async (attempt) => {
        try {
          if (o.gateway && o.resolveGateway) {
            try {
              await checkGatewayResolves(o.gateway, o.resolveGateway);
            } catch (err) {
              if (err instanceof GatewayUnresolvedError)
                log.warn({ gateway: o.gateway }, err.message);
              throw err;
            }
          }
          const r = checkedRegistration(
            await o.client.register({
              provisioningKey: token,
              csr,
              hostname: o.hostname,
              version: o.version,
              ...where,
            }),
          );
          checkResponse(r, privateKeyPem, new Date(o.clock.now()));
          o.metrics.enrollmentAttempts.inc({ result: 'success' });
          return r;
        } catch (err) {
          const retryable = (err as { retryable?: boolean }).retryable === true;
          o.metrics.enrollmentAttempts.inc({
            result: retryable ? 'retryable_error' : 'permanent_error',
          });
          if (retryable) log.debug({ [LogField.attempt]: attempt }, 'registration attempt failed');
          throw err;
        }
      },
      {
        clock: o.clock,
        random: o.random,
        backoff: o.backoff,
        signal: o.signal,
        onRetry: logRetries(log, 'enrollment attempt failed; retrying'),
      },
    );
  } catch (err) {
    // Refused for good: nothing of this enrollment stays. Stopped while retrying: the key is
    // kept for the next start.
    if (!(err instanceof AbortedError)) await o.pendingKey?.remove().catch(() => undefined);
    throw enrollmentFailure(err);
  }

  const identity: Identity = {
    connectorId: response.connectorId,
    groupId: response.groupId,
    region: response.region,
    hostname: o.hostname,
    gateways: response.gateways,
    certificatePem: response.certificate,
    caChainPems: response.caChain,
    privateKeyPem,
    enrolledAt: new Date(o.clock.now()).toISOString(),
  };
  if (response.tunnel) {
    identity.tunnel = { tlsCryptKey: response.tunnel.tlsCryptKey, cipher: response.tunnel.cipher };
  }
  try {
    await o.store.save(identity);
    await o.pendingKey?.remove();
  } catch (err) {
    throw enrollmentFailure(err);
  }
  log.info(
    {
      [LogField.connectorId]: identity.connectorId,
      [LogField.groupId]: identity.groupId,
      [LogField.region]: identity.region,
      certificateExpiresAt: response.certificateExpiresAt,
    },
    'enrolled',
  );
  return identity;
}

/** The pending enrollment's key when there is one, else a new one (kept as pending). */
async function pendingPrivateKey(o: EnrollOptions): Promise<string> {
  let pem: string | undefined;
  try {
    pem = await o.pendingKey?.load();
  } catch (err) {
    throw enrollmentFailure(pendingKeyError(err));
  }
  if (pem !== undefined) {
    o.logger.info('continuing an unfinished enrollment with its key pair');
    return pem;
  }
  const created = (o.generateKeyPair ?? (() => generateKeyPair()))().privateKeyPem;
  try {
    await o.pendingKey?.save(created);
  } catch (err) {
    throw enrollmentFailure(pendingKeyError(err));
  }
  return created;
}

function pendingKeyError(err: unknown): IdentityError {
  return new IdentityError(
    'data_dir_unusable',
    `cannot keep the enrollment key in the data directory (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    { cause: err },
  );
}

/**
 * The certificate must be for our key and chain to the CA chain sent with it; otherwise the
 * SSE broke the contract (storing it would leave a connector that cannot authenticate).
 */
export function checkResponse(
  r: { certificate: string; caChain: string[] },
  privateKeyPem: string,
  now: Date,
  endpoint: 'register' | 'renew' = 'register',
): void {
  if (!keyMatchesCertificate(privateKeyPem, r.certificate)) {
    throw new SseProtocolError(
      endpoint,
      `SSE ${endpoint} response has a certificate that is not for the key that was sent`,
    );
  }
  // A host clock a little behind the SSE's must not make a fresh certificate look "not yet
  // valid": check the window from the later of our clock and the certificate's start.
  let notBefore: number;
  try {
    notBefore = certificateInfo(r.certificate).notBefore.getTime();
  } catch (cause) {
    throw new SseProtocolError(endpoint, `SSE ${endpoint} response has an unreadable certificate`, {
      cause,
    });
  }
  const at = new Date(Math.max(now.getTime(), notBefore));
  const chain = verifyChain(r.certificate, r.caChain, { usage: 'client', now: at });
  if (!chain.ok) {
    throw new SseProtocolError(
      endpoint,
      `SSE ${endpoint} response has a certificate that does not verify: ${chain.reason}`,
    );
  }
}

import type { Logger } from '@pa-connector/logger';
import { LogField } from '@pa-connector/logger';
import { certificateInfo, createCsr, generateKeyPair, type KeyPairPem } from '@pa-connector/pki';
import { type BackoffPolicy, logRetries, retry } from '@pa-connector/service-runtime';
import type { SseClient } from '@pa-connector/sse-api';
import { isCertificateRevoked, type TokenManager } from '../auth/token-manager';
import { AbortedError, type Clock, type Random, type TimerHandle } from '../clock';
import { checkedRenewal } from '../enrollment/answer-check';
import { checkResponse } from '../enrollment/enroll';
import type { Identity } from '../identity/identity';
import type { IdentityStore } from '../identity/identity-store';
import type { ConnectorMetrics } from '../metrics';
import { renewalTime } from './schedule';

export interface RenewerOptions {
  client: Pick<SseClient, 'renew'>;
  tokens: Pick<TokenManager, 'withToken'>;
  store: Pick<IdentityStore, 'save'>;
  /** The identity in use now. */
  current: () => Identity;
  /** Switches the client (and everything else) to the renewed identity. */
  onRenewed: (identity: Identity) => Promise<void>;
  onPermanent: (err: unknown) => void;
  clock: Clock;
  random: Random;
  backoff: BackoffPolicy;
  logger: Logger;
  metrics: Pick<ConnectorMetrics, 'certificateRenewals'>;
  /** Fraction of the certificate's lifetime after which it is renewed (default 2/3). */
  fraction?: number;
  /** Up to this fraction of the lifetime earlier, at random (default 0.02). */
  jitter?: number;
  generateKeyPair?: () => KeyPairPem;
}

/**
 * Renews the client certificate ahead of expiry: a new key pair and CSR (kept across the retries
 * of one renewal), the renew call, the new
 * identity stored atomically, then the client switched to it (the SSE refuses the old
 * certificate once the new one has been used). Failures are retried with backoff.
 */
export class CertificateRenewer {
  readonly #o: RenewerOptions;
  readonly #abort = new AbortController();
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  /**
   * The key of the renewal in progress, the same for all its retries: a retry after a lost
   * answer sends the same CSR (an SSE that answers a repeated renewal with the same certificate
   * then issues one certificate, and no key pair is generated per attempt).
   */
  #pendingKeyPem: string | undefined;

  constructor(o: RenewerOptions) {
    this.#o = o;
  }

  /** When the next renewal is due (ms since epoch). */
  dueAt(): number {
    const { start, end } = this.#lifetime();
    return renewalTime(
      start,
      end,
      this.#o.fraction ?? 2 / 3,
      this.#o.jitter ?? 0.02,
      this.#o.random,
    );
  }

  /**
   * The certificate's useful life: from when we received it (issuers backdate notBefore to
   * absorb clock skew, which would make a short-lived certificate look half spent on arrival)
   * to notAfter.
   */
  #lifetime(): { start: number; end: number } {
    const id = this.#o.current();
    const info = certificateInfo(id.certificatePem);
    const end = info.notAfter.getTime();
    const received = Date.parse(id.renewedAt ?? id.enrolledAt);
    const start = Number.isFinite(received)
      ? Math.min(Math.max(info.notBefore.getTime(), received), end)
      : info.notBefore.getTime();
    return { start, end };
  }

  start(): void {
    this.#scheduleNext();
  }

  stop(): void {
    this.#abort.abort();
    this.#timer?.cancel();
  }

  /** Renews now (retrying until it works or the renewer stops). */
  renewNow(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = retry(() => this.#renewOnce(), {
      clock: this.#o.clock,
      random: this.#o.random,
      backoff: this.#o.backoff,
      signal: this.#abort.signal,
      onRetry: logRetries(this.#o.logger, 'certificate renewal failed; retrying'),
    })
      .catch((err: unknown) => {
        if (err instanceof AbortedError) return;
        // Refused or answered badly: the next renewal starts afresh.
        this.#pendingKeyPem = undefined;
        if (isCertificateRevoked(err)) {
          this.#o.onPermanent(err);
          return;
        }
        // Not retryable as such (a bad answer): the certificate is still valid for a while, so
        // try again after the longest backoff rather than give up.
        this.#o.logger.error({ err }, 'certificate renewal failed');
        this.#timer = this.#o.clock.setTimer(() => void this.renewNow(), this.#o.backoff.maxMs);
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  #scheduleNext(afterRenewal = false): void {
    if (this.#abort.signal.aborted) return;
    this.#timer?.cancel();
    let due = this.dueAt();
    if (afterRenewal) {
      // A certificate that is already due (short-lived, or a skewed clock) must not turn into a
      // renewal loop: wait at least a tenth of its lifetime.
      const { start, end } = this.#lifetime();
      const tenth = (end - start) / 10;
      due = Math.max(due, this.#o.clock.now() + Math.max(1_000, tenth));
    }
    const delay = Math.max(0, due - this.#o.clock.now());
    this.#o.logger.info({ renewAt: new Date(due).toISOString() }, 'certificate renewal scheduled');
    this.#timer = this.#o.clock.setTimer(() => void this.renewNow(), delay);
  }

  async #renewOnce(): Promise<void> {
    const old = this.#o.current();
    this.#pendingKeyPem ??= (this.#o.generateKeyPair ?? (() => generateKeyPair()))().privateKeyPem;
    const privateKeyPem = this.#pendingKeyPem;
    const csr = createCsr({ privateKeyPem, commonName: old.hostname });
    let res: Awaited<ReturnType<SseClient['renew']>>;
    try {
      res = checkedRenewal(await this.#o.tokens.withToken((t) => this.#o.client.renew({ csr }, t)));
      checkResponse(res, privateKeyPem, new Date(this.#o.clock.now()), 'renew');
    } catch (err) {
      this.#o.metrics.certificateRenewals.inc({ result: 'error' });
      throw err;
    }
    const renewed: Identity = {
      ...old,
      certificatePem: res.certificate,
      caChainPems: res.caChain,
      privateKeyPem,
      renewedAt: new Date(this.#o.clock.now()).toISOString(),
    };
    await this.#o.store.save(renewed);
    this.#pendingKeyPem = undefined;
    await this.#o.onRenewed(renewed);
    this.#o.metrics.certificateRenewals.inc({ result: 'success' });
    this.#o.logger.info(
      { [LogField.connectorId]: old.connectorId, certificateExpiresAt: res.certificateExpiresAt },
      'certificate renewed',
    );
    this.#scheduleNext(true);
  }
}

import { join } from 'node:path';
import type { Logger, SecretValues } from '@pa-connector/logger';
import { componentLogger, LogField } from '@pa-connector/logger';
import type { KeyPairPem } from '@pa-connector/pki';
import { certificateInfo } from '@pa-connector/pki';
import type { RedisKeys } from '@pa-connector/redis-contracts';
import { type BackoffPolicy, BestEffortWriter, type Redis } from '@pa-connector/service-runtime';
import type { CatalogApp, SseClient } from '@pa-connector/sse-api';
import { TokenManager } from '../auth/token-manager';
import { CatalogFile } from '../catalog/catalog-file';
import { CatalogSync } from '../catalog/catalog-sync';
import { AbortedError, type Clock, type Random, type TimerHandle } from '../clock';
import { enroll } from '../enrollment/enroll';
import { certificateRevoked, enrollmentFailure } from '../enrollment/enrollment-failure';
import { PENDING_KEY_FILE, PendingKeyFile } from '../enrollment/pending-key';
import type { Identity } from '../identity/identity';
import type { IdentityStore } from '../identity/identity-store';
import { publishIdentity, summarize } from '../identity/summary';
import { SseForwarder } from '../internal-api/forwarder';
import type { ConnectorMetrics } from '../metrics';
import { CertificateRenewer } from '../renewal/renewer';
import { ConnectorState } from '../state';

/** How long stop() waits for the start-up work (an enrollment request in flight). */
export const STOP_WAIT_MS = 5_000;

export interface ControlPlaneSettings {
  hostname: string;
  region: string | undefined;
  /** The gateway the operator named (host without port); registered for instead of the region. */
  gateway?: string | undefined;
  /** Resolves the gateway's name before registering; absent when the proxy resolves it. */
  resolveGateway?: ((host: string) => Promise<unknown[]>) | undefined;
  version: string;
  /** Revealed provisioning key, when configured. */
  provisioningKey: string | undefined;
  /** Backoff of enrollment, token, renewal retries. */
  backoff: BackoffPolicy;
  catalogIntervalMs: number;
  tokenRefreshAt: number;
  certRenewAt: number;
  /** Whole tries of an internal API request, and their backoff. */
  forwardAttempts: number;
  forwardBackoff: BackoffPolicy;
}

export interface ControlPlaneOptions {
  client: SseClient;
  store: IdentityStore;
  redis: Redis;
  keys: RedisKeys;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: ConnectorMetrics;
  secrets: SecretValues;
  settings: ControlPlaneSettings;
  /** A permanent failure: the service stops with the error's exit code. */
  onFatal: (err: unknown) => void;
  /** Called with every identity adopted (loaded, enrolled, renewed), after it is in use. */
  onIdentity?: (identity: Identity) => void;
  /** Called with the apps of every newly validated catalog. */
  onApps?: (apps: readonly CatalogApp[]) => void;
  generateKeyPair?: () => KeyPairPem;
}

/**
 * The connector's control plane, in order: an identity (from disk, or enrollment), then tokens,
 * certificate renewal, catalog sync and the internal API's forwarder. Everything runs in the
 * background so the HTTP listener answers /healthz and /ready from the first moment.
 */
export class ControlPlane {
  readonly state = new ConnectorState();
  readonly tokens: TokenManager;
  readonly catalog: CatalogSync;
  readonly #o: ControlPlaneOptions;
  readonly #abort = new AbortController();
  readonly #log: Logger;
  #identity: Identity | undefined;
  #renewer: CertificateRenewer | undefined;
  #forwarder: SseForwarder | undefined;
  #run: Promise<void> | undefined;
  readonly #onRedisReady = () => this.#publishIdentity();
  /** The identity summary's copy in Redis: newest only, retried until Redis takes it. */
  readonly #identityWriter: BestEffortWriter;

  constructor(o: ControlPlaneOptions) {
    this.#o = o;
    this.#log = o.logger;
    const s = o.settings;
    this.tokens = new TokenManager({
      client: o.client,
      clock: o.clock,
      random: o.random,
      backoff: s.backoff,
      logger: componentLogger(o.logger, 'auth'),
      metrics: o.metrics,
      secrets: o.secrets,
      refreshAt: s.tokenRefreshAt,
      generation: () => this.state.generation,
      onPermanent: (err) => this.#fatal(certificateRevoked(err)),
    });
    this.#identityWriter = new BestEffortWriter({
      client: o.redis,
      logger: componentLogger(o.logger, 'identity'),
      what: 'the identity summary',
      maxPending: 1,
      clock: o.clock,
    });
    this.catalog = new CatalogSync({
      client: o.client,
      tokens: this.tokens,
      redis: o.redis,
      keys: o.keys,
      clock: o.clock,
      random: o.random,
      intervalMs: s.catalogIntervalMs,
      logger: componentLogger(o.logger, 'catalog'),
      metrics: o.metrics,
      ...(o.onApps ? { onApps: o.onApps } : {}),
      // Beside the identity: the catalog belongs to the connector id it was fetched for.
      store: {
        file: new CatalogFile(o.store.dir, componentLogger(o.logger, 'catalog')),
        owner: () => this.#identity?.connectorId,
      },
    });
  }

  /** The identity in use (undefined before enrollment). */
  get identity(): Identity | undefined {
    return this.#identity;
  }

  /** Defined once enrolled. */
  get forwarder(): SseForwarder | undefined {
    return this.#forwarder;
  }

  get renewer(): CertificateRenewer | undefined {
    return this.#renewer;
  }

  /**
   * Starts; the promise settles once enrolled and every loop runs (fatal errors go to onFatal,
   * never to the caller).
   */
  start(): Promise<void> {
    this.#run ??= this.#start().catch((err: unknown) => {
      if (err instanceof AbortedError) return;
      this.#fatal(enrollmentFailure(err));
    });
    return this.#run;
  }

  async stop(): Promise<void> {
    this.state.phase = 'stopping';
    this.#abort.abort();
    this.tokens.stop();
    const catalogStopped = this.catalog.stop();
    this.#renewer?.stop();
    this.#o.redis.off('ready', this.#onRedisReady);
    // Let an enrollment in flight finish storing what it got (a used key must not be wasted),
    // but do not let a hanging SSE hold up the stop for long.
    let timer: TimerHandle | undefined;
    await Promise.race([
      this.#run,
      new Promise<void>((resolve) => {
        timer = this.#o.clock.setTimer(resolve, STOP_WAIT_MS);
      }),
    ]);
    timer?.cancel();
    await Promise.all([catalogStopped, this.#identityWriter.close()]);
  }

  async #start(): Promise<void> {
    const s = this.#o.settings;
    const log = componentLogger(this.#log, 'enrollment');
    await this.#o.store.prepare();
    let identity = await this.#o.store.load();
    const pendingKey = new PendingKeyFile(join(this.#o.store.dir, PENDING_KEY_FILE), log);
    if (identity) {
      // Left by a stop between storing the identity and removing it.
      await pendingKey.remove();
      log.info(
        { [LogField.connectorId]: identity.connectorId, dir: this.#o.store.dir },
        'identity found in the data directory; already enrolled',
      );
      if (identity.hostname !== s.hostname) {
        log.warn(
          { enrolledAs: identity.hostname, hostname: s.hostname },
          'hostname changed since enrollment; the POP keeps the name it enrolled with',
        );
      }
    } else {
      this.state.phase = 'enrolling';
      identity = await enroll({
        client: this.#o.client,
        store: this.#o.store,
        provisioningKey: s.provisioningKey,
        hostname: s.hostname,
        region: s.region,
        ...(s.gateway ? { gateway: s.gateway } : {}),
        ...(s.gateway && s.resolveGateway ? { resolveGateway: s.resolveGateway } : {}),
        version: s.version,
        clock: this.#o.clock,
        random: this.#o.random,
        backoff: s.backoff,
        signal: this.#abort.signal,
        logger: log,
        metrics: this.#o.metrics,
        pendingKey,
        ...(this.#o.generateKeyPair ? { generateKeyPair: this.#o.generateKeyPair } : {}),
      });
    }
    if (this.#abort.signal.aborted) return;
    this.#adopt(identity);
    this.state.phase = 'enrolled';
    this.#o.metrics.enrolled.set(1);
    this.#o.redis.on('ready', this.#onRedisReady);
    this.#publishIdentity();

    this.#forwarder = new SseForwarder({
      client: this.#o.client,
      tokens: this.tokens,
      clock: this.#o.clock,
      random: this.#o.random,
      attempts: s.forwardAttempts,
      backoff: s.forwardBackoff,
      logger: componentLogger(this.#log, 'internal-api'),
    });
    this.#renewer = new CertificateRenewer({
      client: this.#o.client,
      tokens: this.tokens,
      store: this.#o.store,
      current: () => this.#identity as Identity,
      onRenewed: async (renewed) => {
        this.#adopt(renewed);
        this.#publishIdentity();
        // Use the new certificate right away: the SSE promotes it on first use.
        await this.tokens
          .reissue()
          .catch((err: unknown) =>
            this.#log.warn(
              { reason: (err as Error).message },
              'could not get a token with the new certificate yet',
            ),
          );
      },
      onPermanent: (err) => this.#fatal(certificateRevoked(err)),
      clock: this.#o.clock,
      random: this.#o.random,
      backoff: s.backoff,
      logger: componentLogger(this.#log, 'renewal'),
      metrics: this.#o.metrics,
      fraction: s.certRenewAt,
      ...(this.#o.generateKeyPair ? { generateKeyPair: this.#o.generateKeyPair } : {}),
    });
    this.tokens.start();
    this.#renewer.start();
    this.catalog.start();
  }

  /** Makes `identity` the one in use: client certificate, state, metrics. */
  #adopt(identity: Identity): void {
    this.#identity = identity;
    this.#o.secrets.slot('tls-crypt-key').set(identity.tunnel?.tlsCryptKey);
    this.#o.client.setIdentity({
      certPem: identity.certificatePem,
      keyPem: identity.privateKeyPem,
    });
    this.state.generation++;
    this.state.identity = summarize(identity);
    this.#o.metrics.certificateExpiry.set(
      Math.floor(certificateInfo(identity.certificatePem).notAfter.getTime() / 1000),
    );
    this.#o.onIdentity?.(identity);
  }

  /** Queues the summary of the identity in use for Redis; never waits. */
  #publishIdentity(): void {
    if (!this.state.identity) return;
    this.#identityWriter.submit('identity', async () => {
      const summary = this.state.identity;
      if (summary) await publishIdentity(this.#o.redis, this.#o.keys, summary);
    });
  }

  #fatal(err: unknown): void {
    if (this.#abort.signal.aborted) return;
    this.#o.onFatal(err);
  }
}

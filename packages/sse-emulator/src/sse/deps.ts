import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../clock';
import type { FaultTable } from '../faults/fault-table';
import type { HealthSource } from '../groups/connector-health';
import { bearerToken } from '../http/errors';
import type { EmulatorState } from '../state/emulator-state';
import type { ConnectorRecord } from '../state/model';
import type { PeerCertificateSource } from './peer-certificate';

export type SseApp = FastifyInstance<
  HttpsServer,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface SseDeps {
  state: EmulatorState;
  faults: FaultTable;
  /** Resolves once the current state is on disk. */
  persist: () => Promise<void>;
  peerCertificate: PeerCertificateSource;
  sleep: (ms: number) => Promise<void>;
  /** Running gateways: a new connector's ccd/ files are written before it gets its answer. */
  gateways?: { admit(connectorId: string): Promise<void> };
  /** This listener's URL once it listens: ingest records say which collector took them. */
  listenerUrl?: () => string | undefined;
  /** The gateways' latest health updates (GroupInfo's connector states); none without gateways. */
  health?: HealthSource;
  /** Whose time decides which health updates are fresh. Default: the system clock. */
  clock?: Clock;
}

/**
 * mTLS (and, unless `token: false`, the bearer token) for one request. Returns the caller and
 * whether the state changed (a renewed certificate was promoted) and must be saved.
 */
export function authenticate(
  deps: SseDeps,
  request: FastifyRequest,
  opts: { token: boolean },
): { connector: ConnectorRecord; changed: boolean } {
  const { connector, promoted } = deps.state.authenticate(deps.peerCertificate(request));
  if (promoted) {
    request.log.info({ connectorId: connector.id }, 'renewed certificate in use; old one revoked');
  }
  if (opts.token) deps.state.checkToken(connector, bearerToken(request.headers.authorization));
  return { connector, changed: promoted };
}

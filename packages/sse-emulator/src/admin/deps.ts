import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { Clock } from '../clock';
import type { EndpointTable } from '../endpoints/endpoint-table';
import type { FaultTable } from '../faults/fault-table';
import type { GatewayFleet } from '../gateways/gateway-fleet';
import type { UserIngress } from '../ingress/user-ingress';
import type { CloudEnv } from '../package/cloud-block';
import type { EmulatorState } from '../state/emulator-state';

export type AdminApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AdminDeps {
  state: EmulatorState;
  faults: FaultTable;
  persist: () => Promise<void>;
  clock: Clock;
  caCertPem: string;
  /** When set, every route but /admin/healthz needs `Authorization: Bearer <token>`. */
  adminToken?: string;
  logger: FastifyBaseLogger;
  /** Present when the emulator runs its gateways (`--gateways`). */
  gateways?: GatewayFleet;
  /** Present when the user ingress runs (`--ingress-port`). */
  ingress?: UserIngress;
  /** The firewall table as served; absent when the apps are built without listening. */
  endpoints?: () => EndpointTable;
  /** What `GET /admin/groups/:id/package` is made of, when a bundle is configured. */
  package?: PackageSource;
}

export interface PackageSource {
  /** The `PoPDeployment.tar` handed out as is (streamed). */
  bundlePath: string;
  /** The infra.sh text whose cloud block is filled. */
  infraScript: string;
  /** This emulator's endpoints as the connector's settings. */
  cloudEnv: () => CloudEnv;
}

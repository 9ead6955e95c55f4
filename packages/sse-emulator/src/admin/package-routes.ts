import { SseErrorCode } from '@pa-connector/sse-api';
import { EmulatorError, notFound } from '../errors';
import { CloudBlockError, fillCloudBlock } from '../package/cloud-block';
import { PACKAGE_FILE, packageStream } from '../package/package-stream';
import type { AdminApp, AdminDeps } from './deps';
import { answers, IdParams, PackageTar } from './schemas';

/**
 * A group's download, as a tenant gets it from the cloud: `PoPPackage.tar` with the deployment
 * bundle and an infra.sh that carries this emulator's endpoints and CA, so the documented
 * install command needs no other flag.
 */
export function packageRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get(
    '/admin/groups/:id/package',
    { schema: { params: IdParams, response: answers({ 200: PackageTar }) } },
    async (request, reply) => {
      const source = deps.package;
      if (!source) {
        throw notFound(
          'no package is configured (start the emulator with --bundle PoPDeployment.tar and --infra-script infra.sh)',
        );
      }
      const group = deps.state.group(request.params.id);
      let infraScript: string;
      try {
        infraScript = fillCloudBlock(source.infraScript, source.cloudEnv(), deps.caCertPem);
      } catch (err) {
        if (!(err instanceof CloudBlockError)) throw err;
        throw new EmulatorError(SseErrorCode.internal, `cannot make the package: ${err.message}`, {
          cause: err,
        });
      }
      const stream = await packageStream({
        bundlePath: source.bundlePath,
        infraScript,
        logger: request.log,
      });
      request.log.info({ groupId: group.id }, 'package handed out');
      return reply
        .type('application/x-tar')
        .header('content-disposition', `attachment; filename="${PACKAGE_FILE}"`)
        .send(stream);
    },
  );
}

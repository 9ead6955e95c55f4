import { ExitCode, type ExitCodeValue } from '@pa-connector/config';
import { ServiceExit } from '@pa-connector/service-runtime';
import { SseApiError, SseErrorCode, SseProtocolError } from '@pa-connector/sse-api';
import { IdentityError } from '../identity/identity-error';

const BY_CODE: Record<string, { exit: ExitCodeValue; reason: string }> = {
  [SseErrorCode.provisioningKeyMalformed]: {
    exit: ExitCode.keyInvalid,
    reason: 'the SSE says the provisioning key is malformed',
  },
  [SseErrorCode.provisioningKeyInvalid]: {
    exit: ExitCode.keyInvalid,
    reason: 'the provisioning key is not known to the SSE (check it was copied whole)',
  },
  [SseErrorCode.provisioningKeyExhausted]: {
    exit: ExitCode.keyExhausted,
    reason:
      'the provisioning key has been used as many times as its group allows; create a new key',
  },
  [SseErrorCode.provisioningKeyRevoked]: {
    exit: ExitCode.keyRevoked,
    reason: 'the provisioning key was revoked; create a new key',
  },
  [SseErrorCode.provisioningKeyExpired]: {
    exit: ExitCode.keyExpired,
    reason: 'the provisioning key has expired; create a new key',
  },
  [SseErrorCode.unknownRegion]: {
    exit: ExitCode.config,
    reason: 'PA_REGION names a region the SSE does not have',
  },
  [SseErrorCode.unknownGateway]: {
    exit: ExitCode.config,
    reason:
      'PA_GATEWAY (--gateway) names a gateway the SSE does not know; check the gateway name given at install',
  },
  [SseErrorCode.invalidCsr]: {
    exit: ExitCode.enrollmentRefused,
    reason: 'the SSE refused the certificate request',
  },
};

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Turns a permanent enrollment failure into the ServiceExit that stops the process: one line
 * saying why, and the exit code of its class. Anything unrecognised stays as it is (ExitCode.failed).
 */
export function enrollmentFailure(err: unknown): unknown {
  if (err instanceof ServiceExit) return err;
  if (err instanceof IdentityError)
    return new ServiceExit(oneLine(err.message), err.exitCode, { cause: err, code: err.code });
  if (err instanceof SseProtocolError) {
    return new ServiceExit(
      oneLine(
        `enrollment failed: bad response from the SSE: ${err.message}; no identity was stored`,
      ),
      ExitCode.badSseResponse,
      { cause: err, code: err.code },
    );
  }
  if (err instanceof SseApiError) {
    const known = BY_CODE[err.code];
    if (known) {
      return new ServiceExit(
        oneLine(`enrollment refused [${err.code}]: ${known.reason}`),
        known.exit,
        {
          cause: err,
          code: err.code,
        },
      );
    }
    if (err.code === SseErrorCode.certificateRevoked) return certificateRevoked(err);
    return new ServiceExit(
      oneLine(`enrollment refused [${err.code}]: ${err.message}`),
      ExitCode.enrollmentRefused,
      { cause: err, code: err.code },
    );
  }
  return err;
}

/** The SSE no longer accepts this connector's certificate: only an administrator can fix that. */
export function certificateRevoked(err: unknown): ServiceExit {
  return new ServiceExit(
    "the SSE revoked this connector's certificate (was the connector removed?); move the data directory away and enroll with a new provisioning key",
    ExitCode.certificateRevoked,
    { cause: err, code: SseErrorCode.certificateRevoked },
  );
}

import { CodedError } from '@pa-connector/config';
import { InternalApiError } from '../../src/client/internal-api-error';

class SendError extends InternalApiError {}

describe('InternalApiError', () => {
  it('carries the failure: code, retryable flag, HTTP status and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new SendError('connector_unreachable', 'no connector', true, undefined, { cause });
    expect(err).toBeInstanceOf(CodedError);
    expect(err).toMatchObject({ code: 'connector_unreachable', retryable: true, cause });
    expect(err.status).toBeUndefined();
  });

  it('is named after the subclass that threw it', () => {
    const err = new SendError('http_413', 'too large', false, 413);
    expect(err.name).toBe('SendError');
    expect(err).toMatchObject({ code: 'http_413', retryable: false, status: 413 });
    expect('cause' in err).toBe(false);
  });
});

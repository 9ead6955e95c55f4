import { CodedError } from '../../src/coded-error';

class DiskFull extends CodedError {
  declare readonly code: 'disk_full';

  constructor(options?: { cause?: unknown }) {
    super('disk_full', 'the disk is full', options);
  }
}

describe('CodedError', () => {
  it('carries a code, is not retryable by default and has no cause unless given', () => {
    const err = new CodedError('bad_input', 'the input is bad');
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'bad_input', retryable: false, message: 'the input is bad' });
    expect('cause' in err).toBe(false);
    expect(err.name).toBe('CodedError');
  });

  it('keeps the cause and a retryable flag given', () => {
    const cause = new Error('ECONNRESET');
    const err = new CodedError('unreachable', 'the server hung up', { cause, retryable: true });
    expect(err.cause).toBe(cause);
    expect(err.retryable).toBe(true);
  });

  it('is named after the subclass, which may narrow the code', () => {
    const err = new DiskFull({ cause: 'ENOSPC' });
    expect(err).toBeInstanceOf(CodedError);
    expect(err.name).toBe('DiskFull');
    expect(err.code).toBe('disk_full');
    expect(err.cause).toBe('ENOSPC');
    expect(String(err)).toBe('DiskFull: the disk is full');
  });
});

import { ErrorCode } from '../../src';
import { quoteArgument } from '../../src/protocol/quote';

describe('quoteArgument (management-notes.txt "Command Parsing")', () => {
  test('wraps in double quotes and escapes backslash and double quote', () => {
    expect(quoteArgument('foo"bar', 'x')).toBe('"foo\\"bar"');
    expect(quoteArgument('p"w\\x', 'x')).toBe('"p\\"w\\\\x"');
    expect(quoteArgument('a\\\\b', 'x')).toBe('"a\\\\\\\\b"');
  });

  test('keeps spaces, single quotes and other characters literal', () => {
    expect(quoteArgument("Private Key it's", 'x')).toBe('"Private Key it\'s"');
    expect(quoteArgument('', 'x')).toBe('""');
    expect(quoteArgument('ünï $HOME `x` #;', 'x')).toBe('"ünï $HOME `x` #;"');
  });

  test.each([
    ['LF', 'sec\nret'],
    ['CR', 'sec\rret'],
    ['NUL', 'sec\0ret'],
  ])('rejects %s without echoing the value', (_name, value) => {
    let caught: unknown;
    try {
      quoteArgument(value, 'the password');
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: ErrorCode.InvalidArgument, retryable: false });
    expect((caught as Error).message).toContain('the password');
    expect((caught as Error).message).not.toContain('sec');
  });
});

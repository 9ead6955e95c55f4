import { ErrorCode } from '../../src';
import { LineSplitter, type SplitItem } from '../../src/protocol/line-splitter';

const lines = (...texts: string[]): SplitItem[] => texts.map((text) => ({ kind: 'line', text }));

describe('LineSplitter', () => {
  test('several CRLF lines in one chunk', () => {
    const s = new LineSplitter();
    expect(s.push('SUCCESS: pid=42\r\n>STATE:1795433053,WAIT,,,,,,\r\n')).toEqual(
      lines('SUCCESS: pid=42', '>STATE:1795433053,WAIT,,,,,,'),
    );
    expect(s.pending).toBe('');
  });

  test('bare LF ends a line too, and an empty line is a line', () => {
    expect(new LineSplitter().push('a\nb\r\n\r\nc\n')).toEqual(lines('a', 'b', '', 'c'));
  });

  test('a line split over chunks, including between CR and LF', () => {
    const s = new LineSplitter();
    expect(s.push('>BYTECOUNT:12')).toEqual([]);
    expect(s.push('34,56\r')).toEqual([]);
    expect(s.pending).toBe('>BYTECOUNT:1234,56\r');
    expect(s.push('\nEND')).toEqual(lines('>BYTECOUNT:1234,56'));
    expect(s.push('\r\n')).toEqual(lines('END'));
  });

  test('a multi-byte UTF-8 character split across chunks', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('>ECHO:1795433109,grüße\r\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of ü
    expect(s.push(bytes.subarray(0, cut))).toEqual([]);
    expect(s.push(bytes.subarray(cut))).toEqual(lines('>ECHO:1795433109,grüße'));
  });

  test('the password prompt has no line break and may be glued to what follows', () => {
    const s = new LineSplitter();
    expect(s.push('ENTER PASSWORD:')).toEqual([{ kind: 'prompt' }]);
    expect(
      s.push(
        "SUCCESS: password is correct\r\n>INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n",
      ),
    ).toEqual(
      lines(
        'SUCCESS: password is correct',
        ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info",
      ),
    );
  });

  test('a prompt split over chunks, and several prompts in a row', () => {
    const s = new LineSplitter();
    expect(s.push('ENTER PASS')).toEqual([]);
    expect(s.push('WORD:ENTER PASSWORD:')).toEqual([{ kind: 'prompt' }, { kind: 'prompt' }]);
  });

  test('the prompt text inside a line is not a prompt', () => {
    expect(new LineSplitter().push('>LOG:1,,ENTER PASSWORD:\r\n')).toEqual(
      lines('>LOG:1,,ENTER PASSWORD:'),
    );
  });

  test('a line without end beyond the limit is a protocol error', () => {
    const s = new LineSplitter({ maxLineLength: 16 });
    expect(s.push('0123456789')).toEqual([]);
    expect(() => s.push('0123456789')).toThrow(
      expect.objectContaining({ code: ErrorCode.Protocol }),
    );
  });
});

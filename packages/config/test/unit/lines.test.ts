import { PassThrough } from 'node:stream';
import { LineDecoder, readLines } from '../../src/lines';

describe('LineDecoder', () => {
  it('joins lines split over chunks and keeps the unterminated rest for the end', () => {
    const d = new LineDecoder();
    expect(d.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(d.push(Buffer.from(':2}\n\n'))).toEqual(['{"b":2}', '']);
    expect(d.push('tail')).toEqual([]);
    expect(d.end()).toEqual(['tail']);
    expect(d.end()).toEqual([]);
  });

  it('keeps a 3-byte character split over two chunks whole', () => {
    const bytes = Buffer.from('pré€\nok\n', 'utf8');
    const euro = bytes.indexOf(0xe2);
    const d = new LineDecoder();
    expect(d.push(bytes.subarray(0, euro + 1))).toEqual([]);
    expect(d.push(bytes.subarray(euro + 1))).toEqual(['pré€', 'ok']);
  });

  it('keeps a 4-byte character split byte by byte whole', () => {
    const d = new LineDecoder();
    const out = [...Buffer.from('🙂\n', 'utf8')].flatMap((b) => d.push(Uint8Array.of(b)));
    expect(out).toEqual(['🙂']);
  });

  it('ends a truncated character with one replacement character', () => {
    const d = new LineDecoder();
    expect(d.push(Buffer.from([0x61, 0xe2, 0x82]))).toEqual([]);
    expect(d.end()).toEqual(['a\ufffd']);
  });

  it('keeps a carriage return before the newline for the caller', () => {
    expect(new LineDecoder().push('a\r\nb\n')).toEqual(['a\r', 'b']);
  });
});

describe('readLines', () => {
  it('reports each line of a stream and the last one without a newline at its end', async () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    readLines(stream, (line) => seen.push(line));
    const bytes = Buffer.from('one\nzwei\u00df\ndrei', 'utf8');
    const sharp = bytes.indexOf(0xc3);
    stream.write(bytes.subarray(0, sharp + 1));
    stream.end(bytes.subarray(sharp + 1));
    await new Promise((resolve) => stream.once('end', resolve));
    expect(seen).toEqual(['one', 'zwei\u00df', 'drei']);
  });
});

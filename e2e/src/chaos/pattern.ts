/**
 * A seeded byte pattern: byte `i` of stream `seed` is a function of both, so a receiver can
 * check every byte of an echo in order without keeping what it sent.
 */
function patternByte(seed: number, i: number): number {
  // Mixing in i >> 8 makes a shifted or repeated 256-byte block differ from the original.
  return (seed * 131 + i * 7 + (i >>> 8) * 13) & 0xff;
}

/** `length` bytes of the pattern of `seed` starting at offset `from`. */
export function patternChunk(seed: number, from: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let k = 0; k < length; k++) b[k] = patternByte(seed, from + k);
  return b;
}

/** Offset of the first byte of `chunk` (received at `from`) that differs from the pattern, or -1. */
export function firstMismatch(seed: number, from: number, chunk: Buffer): number {
  for (let k = 0; k < chunk.length; k++) {
    if (chunk[k] !== patternByte(seed, from + k)) return from + k;
  }
  return -1;
}

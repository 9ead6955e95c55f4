import { randomBytes } from 'node:crypto';

/** Time source; tests pass a fake one and move it instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Randomness source (ids, secrets, tokens); tests may make it deterministic. */
export type RandomBytes = (size: number) => Buffer;

export const systemRandom: RandomBytes = randomBytes;

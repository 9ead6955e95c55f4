import type { Clock, RandomBytes } from '../clock';

/** What every aggregate of the state needs: the time now and fresh randomness for ids. */
export interface StateContext {
  clock: Clock;
  random: RandomBytes;
}

/** A random id part of `bytes` bytes, hex. */
export function hexId(ctx: StateContext, bytes: number): string {
  return ctx.random(bytes).toString('hex');
}

export function nowIso(ctx: StateContext): string {
  return ctx.clock.now().toISOString();
}

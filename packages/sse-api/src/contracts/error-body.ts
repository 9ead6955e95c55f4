import { type Static, Type } from '@sinclair/typebox';

/**
 * Every error answer of the SSE (and of the emulator's admin API): a stable code (see
 * SseErrorCode) and a message naming what was wrong.
 */
export const SseErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type SseErrorBody = Static<typeof SseErrorBody>;

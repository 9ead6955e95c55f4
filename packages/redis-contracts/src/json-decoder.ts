import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

/**
 * A reader of one JSON value Redis holds, checked against its contract (compiled once). What is
 * not JSON or breaks the contract reads as undefined: a bad entry is that entry's problem, never
 * the reader's. Missing fields the contract gives a default get it.
 */
export function jsonDecoder<S extends TSchema>(schema: S): (text: string) => Static<S> | undefined {
  const check = TypeCompiler.Compile(schema);
  return (text) => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return undefined;
    }
    const filled = Value.Default(schema, v);
    return check.Check(filled) ? filled : undefined;
  };
}

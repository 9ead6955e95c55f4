import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CliError } from '../cli-error';

/**
 * A check of one service's answer against the schema the service declares (compiled once). An
 * answer that breaks it is a `bad_answer` naming `what` (`pop-manager /status`) and the field.
 */
export function answerCheck<S extends TSchema>(
  schema: S,
  what: string,
): (body: unknown) => Static<S> {
  const compiled = TypeCompiler.Compile(schema);
  return (body) => {
    if (compiled.Check(body)) return body;
    const first = compiled.Errors(body).First();
    const field = first?.path ? first.path.slice(1) : '';
    throw new CliError(
      'bad_answer',
      `${what} answered ${field ? `a bad ${field}` : 'a bad body'}: ${first?.message ?? 'does not match its schema'}`,
    );
  };
}

import { ErrorCode, ManagementError } from '../errors';

/**
 * Rejects values the line-based protocol cannot carry. The message names the argument, never
 * its value: it may be a password.
 */
export function assertSingleLine(value: string, what: string): void {
  if (/[\r\n\0]/.test(value)) {
    throw new ManagementError(
      ErrorCode.InvalidArgument,
      `${what} contains a line break or NUL character, which the management protocol cannot carry`,
    );
  }
}

/**
 * Quotes one command argument the way OpenVPN's config/command lexer reads it back: inside
 * double quotes, `\\` stands for a backslash and `\"` for a double quote (management-notes.txt,
 * "Command Parsing"). Everything else, spaces and single quotes included, is literal there.
 */
export function quoteArgument(value: string, what: string): string {
  assertSingleLine(value, what);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

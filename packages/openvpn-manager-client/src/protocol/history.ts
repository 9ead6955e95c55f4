import { splitFields, unixTime } from './fields';

/** One `>LOG:` notification or one line of `log` history. */
export interface LogEntry {
  time: Date;
  timestamp: number;
  /**
   * Zero or more of I (informational), F (fatal), N (non-fatal error), W (warning), D (debug);
   * '' for plain messages.
   */
  flags: string;
  message: string;
}

/** One `>ECHO:` notification or one line of `echo` history. */
export interface EchoEntry {
  time: Date;
  timestamp: number;
  /** The echoed parameter, e.g. `forget-passwords`. */
  message: string;
}

export function parseLogEntry(text: string): LogEntry | undefined {
  const [time, flags, message] = splitFields(text, 2);
  const when = unixTime(time);
  if (!when || flags === undefined || message === undefined) return undefined;
  return { ...when, flags, message };
}

export function parseEchoEntry(text: string): EchoEntry | undefined {
  const [time, message] = splitFields(text, 1);
  const when = unixTime(time);
  if (!when || message === undefined) return undefined;
  return { ...when, message };
}

/** What became of one user request of the chaos load (times in ms on the run's time base). */
export interface Outcome {
  kind: 'short' | 'stream';
  startMs: number;
  endMs: number;
  ok: boolean;
  /**
   * The gateway the ingress carried it over (its `X-PA-Gateway` header); absent when the CONNECT
   * failed before a tunnel was chosen.
   */
  gateway?: string;
  /** Why it failed (absent when ok). */
  why?: string;
  /** Stream: bytes sent and bytes echoed back (checked one by one against the pattern). */
  sent?: number;
  received?: number;
  /** Stream: when it last received a byte (or got its CONNECT answered), when it ever did. */
  lastProgressMs?: number;
  /** Stream: a byte came back different from what was sent (offset of the first). */
  alteredAt?: number;
}

import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLedger } from '../src/chaos/log-lines';
import type { Stack } from '../src/stack';

/**
 * The ledger of the chaos test: it must see a line the logging service never stored, a line it
 * stored twice, a torn line in its files, and a producer's drop notice, in the right window.
 */
describe('chaos log line ledger', () => {
  let runDir: string;
  let stack: Stack;
  const at = Date.now() - 60_000;
  const line = (n: number, ms: number) =>
    JSON.stringify({ level: 'info', time: new Date(ms).toISOString(), service: 'update', n });
  const stamped = (id: number, text: string) => `{"logId":"${id}-0",${text.slice(1)}`;
  const printed = [at, at + 10, at + 20_000, at + 20_010].map((ms, i) => line(i + 1, ms));

  beforeEach(() => {
    runDir = mkdtempSync(join(tmpdir(), 'pa-ledger-'));
    mkdirSync(join(runDir, 'logs'));
    // Only what the ledger reads of a stack: where the output and the log directory are.
    stack = { runDir, logDir: join(runDir, 'logs'), services: { update: {} } } as unknown as Stack;
    writeFileSync(join(runDir, 'update.log'), `not json\n${printed.join('\n')}\n`);
  });

  afterEach(() => rmSync(runDir, { recursive: true, force: true }));

  const ledgerWithWindow = () => {
    const ledger = new LogLedger(stack);
    // A fault injected between lines 2 and 3: `before` holds 1 and 2, window 0 holds 3 and 4.
    jest.spyOn(Date, 'now').mockReturnValueOnce(at + 10_000);
    ledger.open();
    jest.restoreAllMocks();
    return ledger;
  };

  it('counts every line stored once as neither lost nor duplicated', async () => {
    const stored = printed.map((text, i) => stamped(i + 1, text));
    writeFileSync(join(runDir, 'logs', 'update.log'), `${stored.join('\n')}\n`);
    const ledger = ledgerWithWindow();
    const overall = await ledger.account(0);
    expect(overall).toEqual({
      produced: 4,
      stored: 4,
      lost: 0,
      duplicated: 0,
      droppedByProducer: 0,
    });
    expect(ledger.before.produced).toBe(2);
    expect(ledger.window(0).produced).toBe(2);
    expect(ledger.unreadable).toBe(0);
  });

  it('sees a line lost, a line duplicated, a torn line and a drop notice', async () => {
    const notice = JSON.stringify({
      level: 'warn',
      time: new Date(at + 20_005).toISOString(),
      service: 'update',
      component: 'log-shipping',
      droppedLines: 7,
    });
    const stored = [
      stamped(1, printed[0] as string),
      stamped(2, printed[1] as string),
      stamped(3, printed[1] as string),
      '{"logId":"4-0","level":"in',
      stamped(5, notice),
      stamped(6, printed[3] as string),
    ];
    writeFileSync(join(runDir, 'logs', 'update.log.000001'), `${stored.slice(0, 3).join('\n')}\n`);
    writeFileSync(join(runDir, 'logs', 'update.log'), `${stored.slice(3).join('\n')}\n`);
    // A line still being written (no newline yet) is not read.
    appendFileSync(join(runDir, 'logs', 'update.log'), '{"logId":"7-0","lev');
    const ledger = ledgerWithWindow();
    await ledger.account(0);
    expect(ledger.before).toEqual({
      produced: 2,
      stored: 3,
      lost: 0,
      duplicated: 1,
      droppedByProducer: 0,
    });
    expect(ledger.window(0)).toEqual({
      produced: 2,
      stored: 1,
      lost: 1,
      duplicated: 0,
      droppedByProducer: 7,
    });
    expect(ledger.unreadable).toBe(1);
    expect(ledger.examples).toHaveLength(2);
  });
});

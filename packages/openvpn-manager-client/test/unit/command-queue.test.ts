import { CommandQueue, type LateReply } from '../../src/client/command-queue';
import { systemTimers } from '../../src/client/timers';
import { ErrorCode } from '../../src/errors';
import { multiLineReply, successReply } from '../../src/protocol/reply';

function makeQueue() {
  const written: string[] = [];
  const late: LateReply[] = [];
  const queue = new CommandQueue({
    write: (text) => written.push(text),
    timers: systemTimers,
    onLateReply: (reply) => late.push(reply),
  });
  const success = (line: string, timeoutMs = 1_000) =>
    queue.enqueue({ text: `${line}\n`, label: line, reply: successReply(line), timeoutMs });
  return { queue, written, late, success };
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('CommandQueue', () => {
  test('writes one command at a time, in order, and pairs replies by order', async () => {
    const { queue, written, success } = makeQueue();
    const a = success('hold');
    const b = success('pid');
    const c = queue.enqueue({
      text: 'state\n',
      label: 'state',
      reply: multiLineReply('state'),
      timeoutMs: 1_000,
    });
    expect(written).toEqual(['hold\n']);
    expect(queue.handleLine('SUCCESS: hold=1')).toBe(true);
    await expect(a).resolves.toBe('hold=1');
    expect(written).toEqual(['hold\n', 'pid\n']);
    queue.handleLine('SUCCESS: pid=7');
    await expect(b).resolves.toBe('pid=7');
    queue.handleLine('1795433069,CONNECTING,,,,,,');
    expect(queue.handleLine('END')).toBe(true);
    await expect(c).resolves.toEqual(['1795433069,CONNECTING,,,,,,']);
    expect(queue.handleLine('SUCCESS: stray')).toBe(false);
  });

  test('a command without reply resolves once written and lets the next one go', async () => {
    const { queue, written, success } = makeQueue();
    const quit = queue.enqueue({
      text: 'quit\n',
      label: 'quit',
      reply: undefined,
      timeoutMs: 1_000,
    });
    const pid = success('pid');
    await expect(quit).resolves.toBeUndefined();
    expect(written).toEqual(['quit\n', 'pid\n']);
    queue.handleLine('SUCCESS: pid=1');
    await expect(pid).resolves.toBe('pid=1');
  });

  test('in-flight timeout: rejected as sent, its late reply dropped, the next command then sent', async () => {
    const { queue, written, late, success } = makeQueue();
    const slow = success('hold release', 1_000);
    const next = success('pid', 5_000);
    jest.advanceTimersByTime(1_000);
    await expect(slow).rejects.toMatchObject({
      code: ErrorCode.Timeout,
      sent: true,
      retryable: true,
      command: 'hold release',
    });
    // OpenVPN has not answered yet: pid stays unwritten so replies cannot be mixed up.
    expect(written).toEqual(['hold release\n']);
    queue.handleLine('SUCCESS: hold release succeeded');
    expect(late).toEqual([{ command: 'hold release', lines: ['SUCCESS: hold release succeeded'] }]);
    expect(written).toEqual(['hold release\n', 'pid\n']);
    queue.handleLine('SUCCESS: pid=9');
    await expect(next).resolves.toBe('pid=9');
  });

  test('a queued command that times out is never written', async () => {
    const { queue, written, success } = makeQueue();
    const first = success('hold', 10_000);
    const second = success('signal SIGTERM', 1_000);
    jest.advanceTimersByTime(1_000);
    await expect(second).rejects.toMatchObject({ code: ErrorCode.Timeout, sent: false });
    queue.handleLine('SUCCESS: hold=0');
    await expect(first).resolves.toBe('hold=0');
    expect(written).toEqual(['hold\n']);
    expect(queue.size).toBe(0);
  });

  test('close rejects everything pending and everything after', async () => {
    const { queue, success } = makeQueue();
    const a = success('hold');
    const b = success('pid');
    queue.close(() => Object.assign(new Error('closed'), { code: ErrorCode.Closed }) as never);
    await expect(a).rejects.toMatchObject({ code: ErrorCode.Closed });
    await expect(b).rejects.toMatchObject({ code: ErrorCode.Closed });
    await expect(success('pid')).rejects.toMatchObject({ code: ErrorCode.Closed });
    expect(queue.size).toBe(0);
  });

  test('a write that throws rejects that command with ERR_CLOSED and moves on', async () => {
    let fail = true;
    const written: string[] = [];
    const queue = new CommandQueue({
      write: (text) => {
        if (fail) {
          fail = false;
          throw new Error('EPIPE');
        }
        written.push(text);
      },
      timers: systemTimers,
      onLateReply: () => {},
    });
    const a = queue.enqueue({
      text: 'hold\n',
      label: 'hold',
      reply: successReply('hold'),
      timeoutMs: 1_000,
    });
    const b = queue.enqueue({
      text: 'pid\n',
      label: 'pid',
      reply: successReply('pid'),
      timeoutMs: 1_000,
    });
    await expect(a).rejects.toMatchObject({ code: ErrorCode.Closed, command: 'hold' });
    expect(written).toEqual(['pid\n']);
    queue.handleLine('SUCCESS: pid=3');
    await expect(b).resolves.toBe('pid=3');
  });
});

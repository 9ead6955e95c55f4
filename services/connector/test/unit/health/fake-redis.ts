import { EventEmitter } from 'node:events';
import type { Redis } from '@pa-connector/service-runtime';

/** Records MULTI batches (del/hset/hdel/publish) as plain arrays; `fail` makes exec reject. */
export function fakeRedis() {
  const emitter = new EventEmitter();
  const batches: Array<Array<[string, ...string[]]>> = [];
  const hash = new Map<string, string>();
  const state = { fail: false };
  const redis = {
    status: 'ready',
    on: emitter.on.bind(emitter),
    off: emitter.off.bind(emitter),
    multi() {
      const cmds: Array<[string, ...string[]]> = [];
      const chain = {
        hset(_k: string, ...f: string[]) {
          cmds.push(['hset', ...f]);
          return chain;
        },
        del(_k: string) {
          cmds.push(['del']);
          return chain;
        },
        hdel(_k: string, ...f: string[]) {
          cmds.push(['hdel', ...f]);
          return chain;
        },
        publish(ch: string, msg: string) {
          cmds.push(['publish', ch, msg]);
          return chain;
        },
        async exec() {
          if (state.fail) throw new Error('Connection is closed.');
          batches.push(cmds);
          for (const c of cmds) {
            if (c[0] === 'hset')
              for (let i = 1; i < c.length; i += 2) hash.set(c[i] as string, c[i + 1] as string);
            if (c[0] === 'del') hash.clear();
            if (c[0] === 'hdel') for (const f of c.slice(1)) hash.delete(f);
          }
          return [];
        },
      };
      return chain;
    },
  };
  return { redis: redis as unknown as Redis, batches, hash, state, emitter };
}

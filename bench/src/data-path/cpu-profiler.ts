import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * Preloaded into the connector (`NODE_OPTIONS=--require …/cpu-profiler.js`, with
 * `BENCH_CPU_PROF_DIR`) because Node refuses `--cpu-prof` in NODE_OPTIONS: profiles the whole
 * process with V8's sampling profiler and writes `connector-<pid>.cpuprofile` there when the
 * process exits (a main-thread inspector session answers synchronously, so it works in 'exit').
 */
const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      writeFileSync(
        join(dir, `connector-${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
    });
  });
}

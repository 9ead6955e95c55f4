import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * Preloaded into a service by a bench asked for a profile (see cpu-profiler-env.ts) because Node
 * refuses `--cpu-prof` in NODE_OPTIONS and the services are started with an environment only:
 * profiles the whole process with V8's sampling profiler and writes
 * `<BENCH_CPU_PROF_NAME>-<pid>.cpuprofile` into BENCH_CPU_PROF_DIR when the process exits (a
 * main-thread inspector session answers synchronously, so it completes inside 'exit'; a process
 * ended by SIGKILL writes none).
 */
const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const name = process.env.BENCH_CPU_PROF_NAME ?? 'process';
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}

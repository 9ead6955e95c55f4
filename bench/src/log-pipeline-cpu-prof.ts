import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * Preloaded (`NODE_OPTIONS=--require`) into the logging service by the log-pipeline bench when
 * asked for a profile: node refuses `--cpu-prof` in NODE_OPTIONS, and the service is started
 * through the shared helper, which passes the environment only. Writes a `.cpuprofile` into
 * LOG_PIPELINE_CPU_PROF_DIR when the process exits (a SIGKILL leaves none).
 */
/** The variable naming the directory; the bench sets it in the logging service's environment. */
export const CPU_PROF_DIR_ENV = 'LOG_PIPELINE_CPU_PROF_DIR';

const dir = process.env[CPU_PROF_DIR_ENV];
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // A session on the main thread answers synchronously, so this completes inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, res) => {
      if (err) return;
      writeFileSync(join(dir, `logging-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}

import { join } from 'node:path';

/**
 * The environment that has a service started by a bench write a V8 CPU profile named `name`
 * into `dir` when it exits (cpu-profiler.ts, preloaded); nothing when `dir` is undefined.
 */
export function cpuProfilerEnv(dir: string | undefined, name: string): Record<string, string> {
  if (dir === undefined) return {};
  return {
    NODE_OPTIONS: `--require ${join(__dirname, 'cpu-profiler.js')}`,
    BENCH_CPU_PROF_DIR: dir,
    BENCH_CPU_PROF_NAME: name,
  };
}

import { Counter } from 'prom-client';
import { createRegistry, metricName } from '../../src';

describe('metrics', () => {
  it('names metrics pa_<service>_<name>', () => {
    expect(metricName('pop-manager', 'pushes_total')).toBe('pa_pop_manager_pushes_total');
  });

  it('keeps each service in its own registry, process metrics under their standard names', async () => {
    const a = createRegistry('connector');
    const b = createRegistry('logging');
    new Counter({
      name: metricName('connector', 'enrollments_total'),
      help: 'h',
      registers: [a],
    }).inc();
    const text = await a.metrics();
    expect(text).toContain('pa_connector_enrollments_total 1');
    expect(text).toMatch(/^process_cpu_seconds_total\{service="connector"\} \d/m);
    // The lag gauge gets its first value only after the first read; the heap gauge at once.
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{service="connector"\} \d/m);
    expect(text).not.toMatch(/^pa_connector_(process|nodejs)_/m);
    expect(await b.metrics()).toMatch(/^process_cpu_seconds_total\{service="logging"\} /m);
    expect(await b.metrics()).not.toContain('enrollments_total');
  });
});

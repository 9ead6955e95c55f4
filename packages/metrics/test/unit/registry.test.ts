import { Counter } from 'prom-client';
import { createRegistry, metricName } from '../../src';

describe('metrics', () => {
  it('names metrics pa_<service>_<name>', () => {
    expect(metricName('pop-manager', 'pushes_total')).toBe('pa_pop_manager_pushes_total');
  });

  it('keeps each service in its own registry with prefixed process metrics', async () => {
    const a = createRegistry('connector');
    const b = createRegistry('logging');
    new Counter({
      name: metricName('connector', 'enrollments_total'),
      help: 'h',
      registers: [a],
    }).inc();
    const text = await a.metrics();
    expect(text).toContain('pa_connector_enrollments_total 1');
    expect(text).toContain('pa_connector_process_cpu_seconds_total');
    expect(await b.metrics()).not.toContain('enrollments_total');
  });
});

export { createRegistry, metricName, type Registry } from './registry';

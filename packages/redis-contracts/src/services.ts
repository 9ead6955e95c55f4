export type PopServiceName = 'logging' | 'connector' | 'update' | 'pop-manager';
export const POP_SERVICE_NAMES: readonly PopServiceName[] = [
  'logging',
  'connector',
  'update',
  'pop-manager',
];

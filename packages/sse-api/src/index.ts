export * from './client';
export * from './errors';
export * from './provisioning-key';
export * from './routes';
export * from './types';

export * from './client';
export * from './contracts';
export * from './endpoints';
export * from './errors';
export * from './provisioning-key';
export * from './routes';

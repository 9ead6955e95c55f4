export * from './client';
export * from './contracts';
export * from './errors';
export * from './provisioning-key';
export * from './routes';

export * from './catalog';
export { AcceptedResponse, NoBody, Nullable } from './common';
export * from './enrollment';
export * from './error-body';
export * from './health';
export * from './logs';
export * from './pop-status';
export * from './release';
export * from './tokens';

export * from './errors';
export * from './checkpoint';
export * from './trainer';

export * from './types';
export * from './gaussian';
export * from './likelihood';
export * from './vae';
export * from './consistency';
export * from './registry';

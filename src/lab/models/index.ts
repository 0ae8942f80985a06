// The models folder's door: importing it registers every model (each file registers its own
// kinds right after its class), so `buildModel` from here knows them all.
export * from './types';
export * from './gaussian';
export * from './likelihood';
export * from './gm';
export * from './registry';
export * from './vae';
export * from './consistency';
export * from './factorVae';
export * from './conditional';
export * from './cvae';
export * from './lrVae';

// The `vae-lab` module that notebook cells import (the kernel maps it here).
// A flat list of re-exports: each part of the lab adds its own line.
export * as tf from './tf';
export { LabError, InvalidArgumentError, UnknownNameError } from './core/errors';
export * from './models';
export * from './nets';
export * from './data';
export * from './metrics';
export * from './train';
export * from './presets';
export * from './viz';
export * from './experiments/crvae';
export * from './losses/gm';

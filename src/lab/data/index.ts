export * from './random';
export * from './idx';
export * from './dataset';
export * from './sources';
export * from './transforms';
export * from './ttest';

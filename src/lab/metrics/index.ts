export * from './latent';
export * from './evaluate';
export * from './disentanglement';
export * from './disentanglementEval';
export * from './msssim';
export * from './inception';
export * from './totalCorrelation';

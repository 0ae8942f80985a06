export * from './latent';
export * from './evaluate';

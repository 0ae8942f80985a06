// FactorVAE vs beta-VAE on dSprites (Kim & Mnih 2018): presets, data, build, train, score, figures.
export * from './presets';
export * from './data';
export * from './build';
export * from './train';
export * from './score';
export * from './figures';
export * from './compare';
export * from './runs';

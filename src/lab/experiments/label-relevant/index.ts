// The label-relevant VAE (Zheng & Sun 2019) vs cVAE and cVAE-GAN: presets, data, build, train, score, figures.
export * from './presets';
export * from './data';
export * from './build';
export * from './train';
export * from './score';
export * from './figures';
export * from './runs';
export * from './analysis';
export * from './tables';

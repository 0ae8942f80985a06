// CR-VAE (Sinha & Dieng 2021): presets, data, build, train, score, figures.
export * from './presets';
export * from './data';
export * from './build';
export * from './train';
export * from './score';
export * from './figures';
export * from './tables';
export * from './sweep';

/** Pictures of models for notebooks: payload builders, the `show` API and the live chart. */
export { show } from './show';
export { reconstructionGrid, type ReconstructionGridOptions } from './grid';
export { latentTraversal, decodeFrames, type LatentTraversalOptions, type TraversalBuild } from './traversal';
export { consistencyArrows, sharedExtent, type ArrowsPanelInput, type ConsistencyArrowsOptions } from './arrows';
export { arrowStats, type ArrowStats } from './arrowStats';
export { fitPca2, project as projectPca2, type Pca2 } from './pca';
export { liveChart, trainingCurvesSpec, chartBundle, MIME_VEGALITE, type LiveChart, type LiveChartOptions } from './charts';
export { BoundedSeries, type SeriesPoint } from './series';
export { encodePng } from './png';

// One namespace per paper, each with the same parts: presets, data, build, train, score, figures.
export * as crVae from './cr-vae';
export * as factorVae from './factor-vae';
export * as labelRelevant from './label-relevant';
export { VerdictLog, verdictRecords, type VerdictRecord } from './verdicts';
export { jobFolder, missingJobs, notebookSweep, readSpecFile, RUNS_DIR_ENV, type NotebookSweep, type NotebookSweepOptions } from '../jobs/notebook';
export { sittingsMarkdown, sittingsOf } from '../jobs/sittings';

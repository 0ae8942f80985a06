// Jobs and sweeps: the on-disk contract (files), spec expansion, the runner, the local and Slurm executors, summaries.
export * from './files';
export { appendEvent, bothCallbacks, eventCallbacks, STEP_EVENTS } from './events';
export { checkSpec, combinations, expandSpec, gridsOf, jobArgv, jobIdOf, SweepSpecError, type ParamSpec } from './spec';
export { groupSittings, sittingsMarkdown, sittingsOf, type Sitting } from './sittings';
export { meanSe, numericLeaves, settingOf, summarize, type JobRecord } from './summary';
export { killGroup, logTail, runJob, writeJobStatus, type RunJobOptions } from './runner';
export { runLocal, threadsPerJob, type LocalOptions } from './local';
export { followArray, parseScontrol, readTasks, scancelSweep, slurmEnded, submitArray, SlurmError, type SlurmOptions } from './slurm';
export {
  cancelSweep,
  failureReport,
  jobRecords,
  loadSweep,
  pendingIndices,
  progressOf,
  prepareSweep,
  runSweep,
  writeSummary,
  type LoadedSweep,
  type SweepRunOptions,
} from './sweep';

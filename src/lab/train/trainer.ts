/**
 * The training loop, separate from models (pythae's split). Per step, for each UpdateSpec of
 * the model in order, `repeat` times: loss and gradients of spec.loss w.r.t.
 * spec.variables(); a NaN/Inf guard on the loss, its terms and the gradient norm; then
 * spec.optimizer.applyGradients. Between steps: callbacks, cancellation, checkpoints.
 *
 * Determinism: the epoch's shuffle, each batch's binarization and each update's rng are
 * derived from (seed, epoch/step, update, repeat), so a run is reproducible on one backend,
 * and a run resumed from a checkpoint continues exactly as an uninterrupted one.
 */
import { currentHost } from '../../common/display';
import * as tf from '../tf';
import { deriveSeed, Rng } from '../core/random';
import { saveCheckpoint, type TrainerState } from './checkpoint';
import { NonFiniteLossError, SanityCheckError, TrainingCancelledError } from './errors';
import type { Batch, Checkpointable, StepContext, Trainable, UpdateSpec } from '../core/types';

/** Where batches come from: an ImageDataset, or anything that can cut a batch by indices. */
export interface BatchSource {
  /** Number of examples. */
  readonly n: number;
  /** The examples at `indices`; with `binarizeRng`, dynamically binarized. */
  batch(indices: ArrayLike<number>, binarizeRng?: Rng): Batch;
}

/** What onStep receives. */
export interface StepInfo {
  /** Steps completed so far (this step included). */
  step: number;
  epoch: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  /** Total steps of the run. */
  totalSteps: number;
  /** Loss of each update ("loss" when there is one update, else "<update>/loss") and its terms, batch means. */
  terms: Record<string, number>;
}

/** What onEpochEnd receives. */
export interface EpochInfo {
  epoch: number;
  step: number;
  /** Mean of each term over the epoch's steps. */
  meanTerms: Record<string, number>;
  /** What `TrainerOptions.evaluate` returned for this epoch (empty without it). */
  metrics: Record<string, number>;
}

/** Callbacks; each may be async (the trainer awaits it). */
export interface TrainerCallbacks {
  /** After every step (progress bars, live loss charts). */
  onStep?(info: StepInfo): void | Promise<void>;
  /** After every epoch, with the epoch's mean terms and metrics (per-epoch charts). */
  onEpochEnd?(info: EpochInfo): void | Promise<void>;
  /** After a checkpoint was written. */
  onCheckpoint?(dir: string, state: TrainerState): void | Promise<void>;
}

/** Options of a training run. */
export interface TrainerOptions {
  /** Number of epochs (passes over the data, last partial batch dropped). Default 1. */
  epochs?: number;
  /** Stop after this many steps in total (overrides epochs when smaller). */
  steps?: number;
  /** Examples per batch (default 64). */
  batchSize?: number;
  /** Seed of shuffling, binarization and the models' noise (default 0). */
  seed?: number;
  /** Dynamically binarize each batch (Bernoulli likelihood on grey images). Default false. */
  binarize?: boolean;
  /** Cancels the run between steps. Default: the running notebook cell's signal, if any. */
  signal?: AbortSignal;
  callbacks?: TrainerCallbacks;
  /** Run one batch through every update's loss before training (no update). Default true. */
  sanityCheck?: boolean;
  /** Per-epoch metrics, computed after each epoch (e.g. a quick validation NLL). */
  evaluate?: (epoch: number) => Record<string, number> | Promise<Record<string, number>>;
  /** Checkpoint folder; written after every `checkpointEvery` epochs and at the end. Needs a Checkpointable model. */
  checkpointDir?: string;
  /** Epochs between checkpoints (default 1). */
  checkpointEvery?: number;
  /** Continue from a checkpoint's state (loadCheckpoint); the model must be the loaded one. */
  resumeFrom?: TrainerState;
  /** Stored in the checkpoint's trainer.json. */
  extra?: Record<string, unknown>;
}

/** What a run returns. */
export interface TrainResult {
  /** Steps completed in total (including those before a resume). */
  steps: number;
  epochs: number;
  /** Per-step terms (live chart data). */
  history: { step: number; terms: Record<string, number> }[];
  /** Per-epoch summaries. */
  epochHistory: EpochInfo[];
  seconds: number;
}

export class Trainer {
  constructor(readonly options: TrainerOptions = {}) {}

  async fit(model: Trainable, data: BatchSource): Promise<TrainResult> {
    const o = this.options;
    const t0 = Date.now();
    const batchSize = o.batchSize ?? 64;
    const seed = o.seed ?? 0;
    const stepsPerEpoch = Math.floor(data.n / batchSize);
    if (stepsPerEpoch < 1) throw new SanityCheckError(`the data has ${data.n} examples, fewer than one batch of ${batchSize}`);
    const totalSteps = Math.min(o.steps ?? Infinity, (o.epochs ?? 1) * stepsPerEpoch);
    const signal = o.signal ?? currentHost()?.signal;
    const specs = model.updates();
    const trainable = new Set(specs.flatMap((s) => s.variables()));
    const stateVars = model.variables().filter((v) => !trainable.has(v)); // batch-norm statistics etc.

    let perm: Int32Array | undefined;
    let permEpoch = -1;
    const batchAt = (step: number): Batch => {
      const epoch = Math.floor(step / stepsPerEpoch),
        s = step % stepsPerEpoch;
      if (permEpoch !== epoch) {
        perm = new Rng(deriveSeed(seed, 1, epoch)).permutation(data.n);
        permEpoch = epoch;
      }
      const idx = perm!.subarray(s * batchSize, (s + 1) * batchSize);
      return data.batch(idx, o.binarize ? new Rng(deriveSeed(seed, 2, step)) : undefined);
    };

    const history: TrainResult['history'] = [];
    const epochHistory: EpochInfo[] = [];
    let step = o.resumeFrom?.step ?? 0;
    if (o.sanityCheck !== false) await this.sanityStep(model, specs, batchAt(step), step, data, batchSize, seed);

    let sums: Record<string, number> = {};
    let count = 0;
    while (step < totalSteps) {
      if (signal?.aborted) throw new TrainingCancelledError(step);
      const epoch = Math.floor(step / stepsPerEpoch);
      const terms = await this.step(specs, stateVars, step, epoch, batchAt, data, batchSize, seed);
      step++;
      history.push({ step, terms });
      for (const [k, v] of Object.entries(terms)) sums[k] = (sums[k] ?? 0) + v;
      count++;
      await o.callbacks?.onStep?.({ step, epoch, stepInEpoch: ((step - 1) % stepsPerEpoch) + 1, stepsPerEpoch, totalSteps, terms });
      const endOfEpoch = step % stepsPerEpoch === 0 || step === totalSteps;
      if (endOfEpoch) {
        const meanTerms = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count]));
        const metrics = (await o.evaluate?.(epoch)) ?? {};
        const info = { epoch, step, meanTerms, metrics };
        epochHistory.push(info);
        await o.callbacks?.onEpochEnd?.(info);
        sums = {};
        count = 0;
        const every = o.checkpointEvery ?? 1;
        if (o.checkpointDir && ((epoch + 1) % every === 0 || step === totalSteps)) {
          const state: TrainerState = { step, epoch: Math.floor(step / stepsPerEpoch), seed, batchSize, extra: o.extra };
          await saveCheckpoint(o.checkpointDir, model as Checkpointable, state);
          await o.callbacks?.onCheckpoint?.(o.checkpointDir, state);
        }
      }
      // Let the event loop deliver an interrupt (AbortSignal) before the next step.
      await new Promise((r) => setImmediate(r));
    }
    return { steps: step, epochs: Math.ceil(step / stepsPerEpoch), history, epochHistory, seconds: (Date.now() - t0) / 1000 };
  }

  /**
   * One training step over all updates; returns the terms as numbers. Each update's loss, terms
   * and gradient norm come back in ONE asynchronous read (a stacked vector), so the NaN guard
   * costs one device round trip per update and works on backends that cannot read synchronously
   * (webgpu); the guard still runs before the update's gradients are applied.
   */
  private async step(
    specs: UpdateSpec[],
    stateVars: tf.Variable[],
    step: number,
    epoch: number,
    batchAt: (s: number) => Batch,
    data: BatchSource,
    batchSize: number,
    seed: number,
  ): Promise<Record<string, number>> {
    const batch = batchAt(step);
    const extra: Batch[] = [];
    const snapshot = stateVars.map((v) => tf.clone(v));
    const out: Record<string, number> = {};
    try {
      for (let u = 0; u < specs.length; u++) {
        const spec = specs[u];
        for (let r = 0; r < (spec.repeat ?? 1); r++) {
          const ctx = this.context(step, epoch, r, u, seed, data, batchSize, extra);
          let terms: Record<string, tf.Scalar> = {};
          const { value, grads } = tf.variableGrads(() => {
            const res = spec.loss(batch, ctx);
            terms = Object.fromEntries(Object.entries(res.terms ?? {}).map(([k, t]) => [k, tf.keep(t)]));
            return res.loss;
          }, spec.variables());
          const names = ['loss', ...Object.keys(terms)];
          const packed = tf.tidy(() => {
            // A left fold of adds, not tf.addN: tfjs-backend-webgpu binds every addN input to one
            // shader, and past 7 inputs (plus the output) it exceeds WebGPU's default 8 storage
            // buffers per stage, so the pipeline is invalid and the sum silently wrong (webgpu-fixes.ts
            // now chunks AddN for every caller; the fold needs no fix at all). On cpu/wasm the fold
            // rounds exactly as their addN does (sequential float32 accumulation).
            const gradNorm = Object.values(grads)
              .map((g) => tf.sum(tf.square(g)))
              .reduce((acc, x) => tf.add(acc, x));
            return tf.stack([value, ...Object.values(terms), gradNorm].map((t) => tf.cast(t, 'float32')));
          });
          tf.dispose([value, ...Object.values(terms)]);
          let read: Float32Array;
          try {
            read = (await packed.data()) as Float32Array;
          } catch (e) {
            tf.dispose(grads);
            throw e;
          } finally {
            packed.dispose();
          }
          const values: Record<string, number> = Object.fromEntries(names.map((k, i) => [k, read[i]]));
          const g = read[names.length];
          const bad = Object.entries(values).find(([, v]) => !Number.isFinite(v)) ?? (Number.isFinite(g) ? undefined : ['gradient', g]);
          if (bad) {
            tf.dispose(grads);
            stateVars.forEach((v, i) => v.assign(snapshot[i]));
            throw new NonFiniteLossError(step, spec.name, bad[0] as string, bad[1] as number);
          }
          spec.optimizer.applyGradients(grads);
          tf.dispose(grads);
          if (r === (spec.repeat ?? 1) - 1) {
            for (const [k, v] of Object.entries(values)) out[specs.length > 1 ? `${spec.name}/${k}` : k] = v;
          }
        }
      }
    } finally {
      disposeBatches([batch, ...extra]);
      tf.dispose(snapshot);
    }
    return out;
  }

  private context(
    step: number,
    epoch: number,
    repeat: number,
    update: number,
    seed: number,
    data: BatchSource,
    batchSize: number,
    extra: Batch[],
  ): StepContext {
    const rng = new Rng(deriveSeed(seed, 3, step, update, repeat));
    const pick = new Rng(deriveSeed(seed, 4, step, update, repeat));
    return {
      step,
      epoch,
      repeat,
      rng,
      nextBatch: () => {
        const idx = Int32Array.from({ length: batchSize }, () => pick.int(data.n));
        const b = data.batch(idx, this.options.binarize ? pick.fork() : undefined);
        extra.push(b);
        return b;
      },
    };
  }

  /** Run every update's loss once on one batch (no update): shapes, scalar, finite (one read per update). */
  private async sanityStep(
    model: Trainable,
    specs: UpdateSpec[],
    batch: Batch,
    step: number,
    data: BatchSource,
    batchSize: number,
    seed: number,
  ): Promise<void> {
    const extra: Batch[] = [];
    try {
      const want = (model as { inputShape?: number[] }).inputShape;
      if (want && batch.x.shape.slice(1).join('x') !== want.join('x')) {
        throw new SanityCheckError(
          `the data's images are ${batch.x.shape.slice(1).join('x')} but the model expects ${want.join('x')} (height x width x channels)`,
        );
      }
      for (let u = 0; u < specs.length; u++) {
        const spec = specs[u];
        const ctx = this.context(step, 0, 0, u, deriveSeed(seed, 99), data, batchSize, extra);
        let names: string[] = [];
        const packed = tf.tidy(() => {
          let res;
          try {
            res = spec.loss(batch, ctx);
          } catch (e) {
            throw new SanityCheckError(`update '${spec.name}' threw: ${(e as Error).message}`, { cause: e });
          }
          if (res.loss.rank !== 0) throw new SanityCheckError(`update '${spec.name}' returned a loss of shape [${res.loss.shape}], expected a scalar`);
          const terms = Object.entries(res.terms ?? {});
          names = ['loss', ...terms.map(([k]) => k)];
          return tf.stack([res.loss, ...terms.map(([, t]) => t)].map((t) => tf.cast(t, 'float32')));
        });
        let read: Float32Array;
        try {
          read = (await packed.data()) as Float32Array;
        } finally {
          packed.dispose();
        }
        const bad = names.map((k, i) => [k, read[i]] as [string, number]).find(([, v]) => !Number.isFinite(v));
        if (bad)
          throw new SanityCheckError(
            `update '${spec.name}': term '${bad[0]}' is ${bad[1]} on the first batch (check the data range and the model's likelihood)`,
          );
      }
    } finally {
      disposeBatches([batch, ...extra]);
    }
  }
}

function disposeBatches(batches: Batch[]): void {
  for (const b of batches) {
    b.x.dispose();
    b.y?.dispose();
    b.grey?.dispose();
  }
}

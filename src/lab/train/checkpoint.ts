/**
 * Checkpoints: a folder
 *   config.json                   the model config (the caller's build function, e.g. the model
 *                                 registry's buildModel, rebuilds the architecture from it)
 *   trainer.json                  trainer state (step, epoch, seed, history) + caller's extra
 *   <net>/model.json, weights.bin each network in the tfjs layers format (tf.loadLayersModel reads it)
 *   optimizer-<i>.json, .bin      each update's optimizer state (Adam moments, iterations)
 * Written atomically (replaceDirAtomic: a temporary folder swapped in by renames). A crash
 * mid-write leaves the old checkpoint untouched; `loadCheckpoint` also finds the `<dir>.old-*`
 * a crash between the two renames leaves.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { previousDirs, replaceDirAtomic } from '../../common/atomic';
import * as tf from '../tf';
import { CheckpointError } from './errors';
import type { Checkpointable, ModelConfig } from '../core/types';

/** What the trainer stores beside the weights. */
export interface TrainerState {
  /** Steps completed. */
  step: number;
  /** Epoch in which the next step falls. */
  epoch: number;
  seed: number;
  batchSize: number;
  /** Anything else the caller wants back (CLI flags, metrics so far). */
  extra?: Record<string, unknown>;
}

/** A tf.io save handler writing model.json + weights.bin into a folder. */
export function folderSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(a: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      mkdirSync(dir, { recursive: true });
      const data = tf.io.CompositeArrayBuffer.join(a.weightData ?? new ArrayBuffer(0));
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(data));
      const json = {
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength } };
    },
  };
}

/** A tf.io load handler reading model.json + weights.bin from a folder. */
export function folderLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      const specs: tf.io.WeightsManifestEntry[] = json.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights);
      const bytes = readFileSync(join(dir, 'weights.bin'));
      const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return { modelTopology: json.modelTopology, format: json.format, weightSpecs: specs, weightData };
    },
  };
}

/** Set a net's weights from a folder written by folderSaveHandler (by position: names differ between builds). */
async function loadNetWeights(net: tf.LayersModel, dir: string): Promise<void> {
  const a = await folderLoadHandler(dir).load!();
  const map = tf.io.decodeWeights(a.weightData!, a.weightSpecs!);
  const values = a.weightSpecs!.map((s) => map[s.name]);
  if (values.length !== net.weights.length) {
    tf.dispose(values);
    throw new CheckpointError(dir, `has ${values.length} weight arrays, the rebuilt net has ${net.weights.length}; config and weights do not match`);
  }
  net.setWeights(values);
  tf.dispose(values);
}

function writeJson(file: string, v: unknown): void {
  writeFileSync(file, JSON.stringify(v, null, 2));
}

/** Write every file of a checkpoint into the (empty) folder `tmp`. */
async function writeCheckpointFiles(tmp: string, model: Checkpointable, state: TrainerState): Promise<void> {
  for (const [name, net] of Object.entries(model.nets())) await net.save(folderSaveHandler(join(tmp, name)));
  const specs = model.updates();
  for (let i = 0; i < specs.length; i++) {
    const named = await specs[i].optimizer.getWeights();
    const { data, specs: ws } = await tf.io.encodeWeights(named);
    tf.dispose(named.filter((t) => !(t.tensor instanceof tf.Variable)).map((t) => t.tensor)); // the iteration count is a fresh scalar
    writeFileSync(join(tmp, `optimizer-${i}.bin`), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
    writeJson(join(tmp, `optimizer-${i}.json`), { update: specs[i].name, weights: ws });
  }
  writeJson(join(tmp, 'config.json'), model.config());
  writeJson(join(tmp, 'trainer.json'), state);
}

/** Save model + trainer state into `dir` atomically. */
export async function saveCheckpoint(dir: string, model: Checkpointable, state: TrainerState): Promise<void> {
  try {
    await replaceDirAtomic(dir, (tmp) => writeCheckpointFiles(tmp, model, state));
  } catch (e) {
    throw new CheckpointError(dir, `could not be written (${(e as Error).message}); the previous checkpoint is unchanged`, { cause: e });
  }
}

/** `dir`, or the `<dir>.old-*` left by a crash between the two renames. */
function resolveDir(dir: string): string {
  if (existsSync(join(dir, 'config.json'))) return dir;
  const olds = previousDirs(dir);
  if (olds.length) return olds[olds.length - 1];
  throw new CheckpointError(dir, 'no checkpoint here (config.json missing). Pass the folder that `vae-lab train --out DIR` wrote as DIR/model.');
}

/**
 * Rebuild the model from config.json with `build` (the models' registry `buildModel`; the
 * trainer layer sits below the models and so is handed it), load its weights and optimizer
 * state, return it with the trainer state.
 */
export async function loadCheckpoint<M extends Checkpointable>(dir: string, build: (config: ModelConfig) => M): Promise<{ model: M; state: TrainerState }> {
  const d = resolveDir(dir);
  let model: M;
  try {
    model = build(JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')));
  } catch (e) {
    throw new CheckpointError(d, `config.json could not be used (${(e as Error).message})`, { cause: e });
  }
  for (const [name, net] of Object.entries(model.nets())) await loadNetWeights(net, join(d, name));
  const specs = model.updates();
  for (let i = 0; i < specs.length; i++) {
    const f = join(d, `optimizer-${i}.json`);
    if (!existsSync(f)) continue;
    const { weights } = JSON.parse(readFileSync(f, 'utf8'));
    const bytes = readFileSync(join(d, `optimizer-${i}.bin`));
    const map = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), weights);
    const named = (weights as tf.io.WeightsManifestEntry[]).map((w) => ({ name: w.name, tensor: map[w.name] }));
    await specs[i].optimizer.setWeights(named);
    tf.dispose(named.map((t) => t.tensor));
  }
  const state = JSON.parse(readFileSync(join(d, 'trainer.json'), 'utf8')) as TrainerState;
  return { model, state };
}

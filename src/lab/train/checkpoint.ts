/**
 * Checkpoints: a folder
 *   config.json                   the model config (the caller's build function, e.g. the model
 *                                 registry's buildModel, rebuilds the architecture from it)
 *   trainer.json                  trainer state (step, epoch, seed, history) + caller's extra
 *   <net>/model.json, weights.bin each network in the tfjs layers format (tf.loadLayersModel reads it)
 *   <set>/variables.json, .bin    each variable set (model.variableSets(): nets written with tf ops)
 *                                 as a tfjs weights manifest + its bytes, the entries named
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

/** Write a named variable set as `variables.json` (a tfjs weights manifest) + `variables.bin` into `dir`. */
async function saveVariableSet(dir: string, vars: Record<string, tf.Variable>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { data, specs } = await tf.io.encodeWeights(Object.entries(vars).map(([name, tensor]) => ({ name, tensor })));
  writeFileSync(join(dir, 'variables.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
  writeJson(join(dir, 'variables.json'), { format: 'variable-set', weights: specs });
}

/**
 * Assign a variable set from `dir`: every variable of the rebuilt model must be there with its
 * shape (by name), and nothing else; otherwise config and files do not match. A folder holding a
 * tf.layers net instead (model.json) was written by a version in which this part was a layers
 * model (the label-relevant GAN variants' unconditional MLP critic, before the projection
 * discriminator): it cannot be loaded into the new net, so the error says to retrain.
 */
async function loadVariableSet(dir: string, name: string, vars: Record<string, tf.Variable>): Promise<void> {
  const manifest = join(dir, 'variables.json');
  if (!existsSync(manifest)) {
    if (existsSync(join(dir, 'model.json')))
      throw new CheckpointError(
        dir,
        `holds a tf.layers net as '${name}' (written by an older version, e.g. the unconditional MLP critic of the label-relevant GAN variants); this version's '${name}' is a different network (the label-conditional projection discriminator with spectral normalization) and cannot take its weights: retrain the model (vae-lab train ...) to get a checkpoint of this version`,
      );
    throw new CheckpointError(dir, `'${name}' is missing (no variables.json); the checkpoint is incomplete: retrain or pass a complete checkpoint`);
  }
  const { weights } = JSON.parse(readFileSync(manifest, 'utf8')) as { weights: tf.io.WeightsManifestEntry[] };
  const got = new Set(weights.map((w) => w.name));
  const missing = Object.keys(vars).filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !(k in vars));
  if (missing.length || extra.length)
    throw new CheckpointError(
      dir,
      `'${name}' does not match the rebuilt model (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'}); config and weights do not match`,
    );
  const bytes = readFileSync(join(dir, 'variables.bin'));
  const map = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), weights);
  try {
    for (const [k, v] of Object.entries(vars)) {
      if (map[k].shape.join(',') !== v.shape.join(','))
        throw new CheckpointError(dir, `'${name}/${k}' has shape [${map[k].shape}], the rebuilt model's is [${v.shape}]; config and weights do not match`);
    }
    for (const [k, v] of Object.entries(vars)) v.assign(map[k]);
  } finally {
    tf.dispose(Object.values(map));
  }
}

function writeJson(file: string, v: unknown): void {
  writeFileSync(file, JSON.stringify(v, null, 2));
}

/** Write every file of a checkpoint into the (empty) folder `tmp`. */
async function writeCheckpointFiles(tmp: string, model: Checkpointable, state: TrainerState): Promise<void> {
  for (const [name, net] of Object.entries(model.nets())) await net.save(folderSaveHandler(join(tmp, name)));
  for (const [name, vars] of Object.entries(model.variableSets?.() ?? {})) await saveVariableSet(join(tmp, name), vars);
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
  try {
    for (const [name, net] of Object.entries(model.nets())) await loadNetWeights(net, join(d, name));
    for (const [name, vars] of Object.entries(model.variableSets?.() ?? {})) await loadVariableSet(join(d, name), name, vars);
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
  } catch (e) {
    // the half-loaded model is of no use to the caller: free its tensors before reporting
    (model as { dispose?: () => void }).dispose?.();
    throw e;
  }
  const state = JSON.parse(readFileSync(join(d, 'trainer.json'), 'utf8')) as TrainerState;
  return { model, state };
}

/**
 * Spectral normalization (Miyato et al. 2018) and the label-conditional projection
 * discriminator (Miyato & Koyama 2018) that the label-relevant paper's GAN variant uses
 * ("like in [30]": section 3.4, appendix B).
 *
 * Spectral normalization: a weight W [in, out] is used as W / sigma(W), sigma the largest
 * singular value, estimated by one power iteration per training step with a persistent vector
 * u [1, out] (its estimate improves as W changes slowly):
 *   v = normalize(u W^T)   [1, in]
 *   u = normalize(v W)     [1, out]
 *   sigma = v W u^T
 * u and v are held in non-trainable variables and enter sigma as constants, so the gradient
 * flows through W alone (the paper's estimator). With u converged, sigma is the largest
 * singular value: the square root of the largest eigenvalue of W^T W. The constructor runs 20
 * iterations, so training starts from a converged u.
 *
 * Projection discriminator: D(x, y) = psi(phi(x)) + <embed(y), phi(x)>, phi an MLP (LeakyReLU
 * 0.2), psi a linear map to one score, embed a [classes, h] matrix; every weight spectrally
 * normalized. The inner product ties D's score to the label, so a generator fooling D must draw
 * the class it was asked for. All tensor work runs in tf.tidy.
 */
import * as tf from '../tf';
import { Rng } from '../core/random';

const EPS = 1e-12;

function normalizeRow(t: tf.Tensor2D): tf.Tensor2D {
  return tf.div(t, tf.add(tf.norm(t), EPS)) as tf.Tensor2D;
}

/** A variable holding `make()`'s value; the temporary tensor is freed (a variable shares its data, the handle would leak). */
function variableOf(make: () => tf.Tensor, trainable: boolean): tf.Variable {
  const t = tf.tidy(make);
  const v = tf.variable(t, trainable);
  t.dispose();
  return v;
}

/** One weight matrix with its spectral normalizer's persistent vectors. */
export class SpectralNormalized {
  readonly u: tf.Variable;
  readonly v: tf.Variable;

  constructor(
    readonly w: tf.Variable,
    rng: Rng,
  ) {
    if (w.shape.length !== 2) throw new RangeError(`SpectralNormalized: a [in, out] matrix, got shape [${w.shape.join(', ')}]`);
    const [inDim, outDim] = w.shape as [number, number];
    const draw = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    this.u = variableOf(() => normalizeRow(tf.tensor2d(draw(outDim), [1, outDim])), false);
    this.v = variableOf(() => normalizeRow(tf.tensor2d(draw(inDim), [1, inDim])), false);
    // start from a converged u, so the first steps divide by sigma itself, not a random u's underestimate
    this.powerIterate(20);
  }

  /** `iterations` power iterations on the current W, updating u and v (no gradient flows through them). */
  powerIterate(iterations = 1): void {
    for (let i = 0; i < iterations; i++) {
      tf.tidy(() => {
        const v = normalizeRow(tf.matMul(this.u, this.w, false, true) as tf.Tensor2D);
        const u = normalizeRow(tf.matMul(v, this.w) as tf.Tensor2D);
        this.v.assign(v);
        this.u.assign(u);
      });
    }
  }

  /** sigma = v W u^T with the current u, v (a scalar tensor; differentiable in W only). */
  sigma(): tf.Scalar {
    return tf.tidy(() => tf.reshape(tf.matMul(tf.matMul(this.v, this.w), this.u, false, true), []) as tf.Scalar);
  }

  /** W / sigma; with `training`, one power iteration first (the persistent u moves with W). */
  normalized(training = true): tf.Tensor2D {
    if (training) this.powerIterate(1);
    return tf.tidy(() => tf.div(this.w, this.sigma()) as tf.Tensor2D);
  }

  dispose(): void {
    tf.dispose([this.u, this.v]);
  }
}

/** Options of the projection discriminator. */
export interface ProjectionDiscriminatorConfig {
  /** Input shape of one example (flattened). */
  inputShape: number[];
  /** Hidden sizes of phi (at least one). */
  hidden: number[];
  classes: number;
  /** Seed of the initial weights and of u. */
  seed?: number;
}

/** D(x, y) = psi(phi(x)) + <embed(y), phi(x)>, every weight spectrally normalized (module comment). */
export class ProjectionDiscriminator {
  private readonly layers: { sn: SpectralNormalized; bias: tf.Variable }[] = [];
  readonly psi: SpectralNormalized;
  /** [h, classes]: column c is the embedding of class c (spectral norm over the matrix as a whole). */
  readonly embed: SpectralNormalized;
  private readonly inDim: number;

  constructor(readonly config: ProjectionDiscriminatorConfig) {
    if (!config.hidden.length) throw new RangeError('ProjectionDiscriminator: phi needs at least one hidden layer');
    const rng = new Rng(config.seed ?? 0);
    this.inDim = config.inputShape.reduce((a, b) => a * b, 1);
    const glorot = (i: number, o: number) => {
      const limit = Math.sqrt(6 / (i + o));
      return variableOf(
        () =>
          tf.tensor2d(
            Float32Array.from({ length: i * o }, () => rng.uniform(-limit, limit)),
            [i, o],
          ),
        true,
      );
    };
    let prev = this.inDim;
    config.hidden.forEach((h, k) => {
      this.layers.push({
        sn: new SpectralNormalized(glorot(prev, h), rng),
        bias: variableOf(() => tf.zeros([h]), true),
      });
      prev = h;
    });
    this.psi = new SpectralNormalized(glorot(prev, 1), rng);
    this.embed = new SpectralNormalized(glorot(prev, config.classes), rng);
  }

  /** phi(x) [n, h]. */
  features(x: tf.Tensor, training = true): tf.Tensor2D {
    const ws = this.layers.map((l) => l.sn.normalized(training));
    return tf.tidy(() => {
      let y = tf.reshape(x, [-1, this.inDim]) as tf.Tensor2D;
      ws.forEach((w, k) => {
        y = tf.leakyRelu(tf.add(tf.matMul(y, w), this.layers[k].bias), 0.2) as tf.Tensor2D;
      });
      tf.dispose(ws);
      return y;
    });
  }

  /** Scores D(x, y) [n, 1] for images x and int32 labels y [n]. */
  score(x: tf.Tensor, y: tf.Tensor1D, training = true): tf.Tensor2D {
    const phi = this.features(x, training);
    const psi = this.psi.normalized(training),
      embed = this.embed.normalized(training);
    return tf.tidy(() => {
      const e = tf.gather(tf.transpose(embed), tf.cast(y, 'int32')) as tf.Tensor2D; // [n, h]: embed(y)
      const out = tf.add(tf.matMul(phi, psi), tf.sum(tf.mul(e, phi), 1, true)) as tf.Tensor2D;
      tf.dispose([phi, psi, embed]);
      return out;
    });
  }

  /** The trainable variables (kernels, biases, embedding). */
  trainableVariables(): tf.Variable[] {
    return [...this.layers.flatMap((l) => [l.sn.w, l.bias]), this.psi.w, this.embed.w];
  }

  /**
   * Every variable by a stable name (the checkpoint's keys): phi<k>/kernel, phi<k>/bias, psi/kernel,
   * embed/kernel, and each kernel's power-iteration vectors <kernel>/u, <kernel>/v (state, not
   * trained, but a resumed run must continue from them).
   */
  namedVariables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    const put = (name: string, sn: SpectralNormalized) => {
      out[`${name}/kernel`] = sn.w;
      out[`${name}/u`] = sn.u;
      out[`${name}/v`] = sn.v;
    };
    this.layers.forEach((l, k) => {
      put(`phi${k}`, l.sn);
      out[`phi${k}/bias`] = l.bias;
    });
    put('psi', this.psi);
    put('embed', this.embed);
    return out;
  }

  /** Every variable: the trainable ones and the power-iteration vectors u, v. */
  variables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  dispose(): void {
    for (const l of this.layers) {
      l.sn.dispose();
      tf.dispose([l.sn.w, l.bias]);
    }
    for (const s of [this.psi, this.embed]) {
      s.dispose();
      s.w.dispose();
    }
  }
}

/** Hyper-parameters of {@link Adam}. */
export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (AdamW, Loshchilov & Hutter 2019), applied to every updated parameter. */
  weightDecay?: number;
}

/**
 * The Adam optimiser (Kingma & Ba, 2015) for one parameter array. {@link update} steps every
 * parameter; {@link updateRows} steps only the listed rows of a row-major matrix ("lazy" Adam, as
 * TensorFlow's LazyAdam does for embedding tables), which is what makes a sparse-input first layer cheap:
 * a mini-batch only touches the rows of the features its prompts contain. Both consume the gradient: the
 * entries they read are reset to 0.
 */
export class Adam {
  private readonly firstMoment: Float32Array;
  private readonly secondMoment: Float32Array;
  private readonly learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private steps = 0;

  constructor(size: number, options: AdamOptions) {
    this.firstMoment = new Float32Array(size);
    this.secondMoment = new Float32Array(size);
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
  }

  /** One step on every parameter; `gradients` is zeroed. */
  update(parameters: Float32Array, gradients: Float32Array): void {
    const { stepSize, decay } = this.nextStep();
    this.range(parameters, gradients, 0, parameters.length, stepSize, decay);
  }

  /** One step on rows `rows[0 … rowCount)` (each `width` wide) of a row-major matrix; those gradient rows are zeroed. */
  updateRows(parameters: Float32Array, gradients: Float32Array, rows: Int32Array, rowCount: number, width: number): void {
    const { stepSize, decay } = this.nextStep();
    for (let i = 0; i < rowCount; i++) {
      const start = rows[i]! * width;
      this.range(parameters, gradients, start, start + width, stepSize, decay);
    }
  }

  private nextStep(): { stepSize: number; decay: number } {
    this.steps++;
    const correction1 = 1 - Math.pow(this.beta1, this.steps);
    const correction2 = 1 - Math.pow(this.beta2, this.steps);
    return { stepSize: (this.learningRate * Math.sqrt(correction2)) / correction1, decay: 1 - this.learningRate * this.weightDecay };
  }

  private range(parameters: Float32Array, gradients: Float32Array, start: number, end: number, stepSize: number, decay: number): void {
    const m = this.firstMoment;
    const v = this.secondMoment;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const epsilon = this.epsilon;
    for (let i = start; i < end; i++) {
      const g = gradients[i]!;
      gradients[i] = 0;
      const mi = b1 * m[i]! + (1 - b1) * g;
      const vi = b2 * v[i]! + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      parameters[i] = parameters[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) + epsilon);
    }
  }
}

import { sparseEntriesOf } from "../../math/sparse-rows.js";
import { LinearFeatures, type LinearFeatureSpec } from "../linear/linear-features.js";
import type { RouteInput } from "../router.js";
import { ArmModel, type ArmModelState, type FeatureEntries } from "./arm-model.js";

/** JSON-safe state of the {@link SharedModel}. */
export interface SharedModelState {
  arm: ArmModelState;
  descriptors: Record<string, number>;
}

/** Options of the {@link SharedModel}. */
export interface SharedModelOptions {
  /** The bandit's feature spec; the shared part sketches the same embedding to `sharedDimension` buckets. */
  features: LinearFeatureSpec;
  sharedDimension: number;
  lambda: number;
  /** Standardised log price of each model (0 for a model without one: the average price). */
  descriptors: Record<string, number>;
}

/**
 * The shared part of hybrid LinUCB (Li et al. 2010, §3.2): one ridge model, shared by every target, of
 * z_a(x) = [x̄, ℓ_a·x̄], where x̄ = [small sketch of the embedding, log tokens, 1] and ℓ_a is the target's
 * standardised log price. What one target teaches about prompts (hard or easy) and about price tiers
 * (pricier models do better on hard prompts) transfers to every target, including one added online.
 * It is fitted by backfitting against the per-target arms (each learns the residual of the other) and
 * its variance is added to the arm's — Li et al.'s cross-covariance terms are dropped, which keeps an
 * update O(k²) with k = 2·(sharedDimension + 2); docs/online-learning.md says what that costs.
 */
export class SharedModel {
  private readonly features: LinearFeatures;
  private readonly arm: ArmModel;
  private readonly descriptors: Map<string, number>;
  private readonly width: number;

  constructor(options: SharedModelOptions, state?: SharedModelState) {
    this.features = new LinearFeatures({ ...options.features, sketchDimension: options.sharedDimension, sketchSeed: options.features.sketchSeed ^ 0x51a4ed });
    this.width = this.features.dimension;
    this.arm = new ArmModel(2 * this.width, options.lambda, state?.arm);
    this.descriptors = new Map(Object.entries(state?.descriptors ?? options.descriptors));
  }

  /** x̄ of one prompt (copied: the feature map reuses its buffers). */
  featuresOf(input: RouteInput): FeatureEntries {
    const { indices, values, count } = this.features.entriesOf(sparseEntriesOf(input.embedding, input.sparseEmbedding), input.promptTokens);
    return { indices: indices.slice(0, count), values: values.slice(0, count), count };
  }

  mean(xBar: FeatureEntries, model: string): number {
    return this.arm.mean(this.entriesFor(xBar, model));
  }

  variance(xBar: FeatureEntries, model: string): number {
    return this.arm.variance(this.entriesFor(xBar, model));
  }

  update(xBar: FeatureEntries, model: string, target: number): void {
    this.arm.update(this.entriesFor(xBar, model), target);
  }

  discount(gamma: number): void {
    if (gamma >= 1) return;
    this.arm.discount(gamma);
    this.arm.topUp();
  }

  addModel(model: string): void {
    if (!this.descriptors.has(model)) this.descriptors.set(model, 0);
  }

  removeModel(model: string): void {
    this.descriptors.delete(model);
  }

  toState(): SharedModelState {
    return { arm: this.arm.toState(), descriptors: Object.fromEntries(this.descriptors) };
  }

  private entriesFor(xBar: FeatureEntries, model: string): FeatureEntries {
    const level = this.descriptors.get(model) ?? 0;
    const indices = new Int32Array(2 * xBar.count);
    const values = new Float32Array(2 * xBar.count);
    for (let a = 0; a < xBar.count; a++) {
      indices[a] = xBar.indices[a]!;
      values[a] = xBar.values[a]!;
      indices[xBar.count + a] = this.width + xBar.indices[a]!;
      values[xBar.count + a] = level * xBar.values[a]!;
    }
    return { indices, values, count: 2 * xBar.count };
  }
}

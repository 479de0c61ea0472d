import { promptFeaturesOf, PROMPT_FEATURE_NAMES } from "../../features/prompt-features.js";

/** Which level-one features the stacked meta-model sees. */
export type MetaFeatureSet = "own" | "cross";

/** Standardisation of the prompt features (fitted on the training split). */
export interface FeatureScaling {
  mean: number[];
  scale: number[];
}

/** Mean and standard deviation of each prompt feature over `rows`. */
export function fitFeatureScaling(rows: readonly Float64Array[]): FeatureScaling {
  const width = PROMPT_FEATURE_NAMES.length;
  const mean = new Array<number>(width).fill(0);
  const scale = new Array<number>(width).fill(1);
  if (rows.length === 0) return { mean, scale };
  for (const row of rows) for (let f = 0; f < width; f++) mean[f]! += row[f]! / rows.length;
  for (let f = 0; f < width; f++) {
    let variance = 0;
    for (const row of rows) variance += (row[f]! - mean[f]!) ** 2 / rows.length;
    scale[f] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { mean, scale };
}

/** Standardised prompt features of one text. */
export function scaledPromptFeatures(text: string, scaling: FeatureScaling): Float64Array {
  const raw = promptFeaturesOf(text);
  return raw.map((value, f) => (value - scaling.mean[f]!) / scaling.scale[f]!);
}

/**
 * The meta-model's input row for one prompt and target model `target`:
 * - `own`: each member's prediction for `target`, then the intercept 1;
 * - `cross`: every member's prediction for every model (models are correlated: a weak model likely
 *   right says the prompt is easy), the standardised prompt features, then the intercept 1.
 * For `cross` the row does not depend on `target`, so one multi-target fit serves every model.
 */
export function metaRow(kind: MetaFeatureSet, members: readonly Float64Array[], target: number, promptFeatures: Float64Array | undefined): Float64Array {
  if (kind === "own") {
    const row = new Float64Array(members.length + 1);
    members.forEach((prediction, k) => (row[k] = prediction[target]!));
    row[members.length] = 1;
    return row;
  }
  const m = members[0]?.length ?? 0;
  const extra = promptFeatures?.length ?? 0;
  const row = new Float64Array(members.length * m + extra + 1);
  members.forEach((prediction, k) => row.set(prediction, k * m));
  if (promptFeatures) row.set(promptFeatures, members.length * m);
  row[row.length - 1] = 1;
  return row;
}

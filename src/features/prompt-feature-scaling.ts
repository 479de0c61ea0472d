import { promptFeaturesOf, PROMPT_FEATURE_NAMES } from "./prompt-features.js";

/** Standardisation of the prompt features (fitted on the training split). */
export interface FeatureScaling {
  mean: number[];
  scale: number[];
}

/** Mean and standard deviation (1 when degenerate) of each prompt feature over `rows`. */
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

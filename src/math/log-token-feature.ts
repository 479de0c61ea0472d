/** Standardisation of log(1 + prompt tokens), fitted on training prompts. */
export interface LogTokenScale {
  mean: number;
  scale: number;
}

/** Mean and standard deviation (1 when degenerate) of log(1 + tokens). */
export function fitLogTokenScale(promptTokens: readonly number[]): LogTokenScale {
  const n = Math.max(1, promptTokens.length);
  const logs = promptTokens.map((tokens) => Math.log1p(Math.max(0, tokens)));
  const mean = logs.reduce((sum, value) => sum + value, 0) / n;
  const std = Math.sqrt(logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / n);
  return { mean, scale: std > 1e-6 ? std : 1 };
}

/**
 * The prompt-length feature learned routers add to the embedding: standardised log(1 + tokens). Length
 * says much about both difficulty and cost, and an L2-normalised embedding has lost it.
 */
export function logTokenFeature(promptTokens: number, scale: LogTokenScale): number {
  return (Math.log1p(Math.max(0, promptTokens)) - scale.mean) / scale.scale;
}

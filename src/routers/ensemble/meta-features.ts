/** Which level-one features the stacked meta-model sees. */
export type MetaFeatureSet = "own" | "cross";

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

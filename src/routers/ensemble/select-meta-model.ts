import type { RoutingExample } from "../../data/routing-example.js";
import { complementOf, selectionScore } from "../../training/cross-validation.js";
import { combine, describeMeta, type MetaModel } from "./ensemble-router.js";
import type { FeatureScaling } from "../../features/prompt-feature-scaling.js";
import { metaRow, type MetaFeatureSet } from "./meta-features.js";
import { fitDenseRidge } from "./ridge-blend.js";

/** Level-one data: out-of-fold member predictions with the true scores. */
export interface LevelOneData {
  examples: readonly RoutingExample[];
  models: readonly string[];
  /** `members[k][i]`: member k's out-of-fold prediction for row i. */
  members: readonly (readonly Float64Array[])[];
  /** Standardised prompt features of each row. */
  promptFeatures: readonly Float64Array[];
  scaling: FeatureScaling;
  costUsd: readonly Float64Array[];
}

/** A candidate meta-model and its cross-validated routing AIQ. */
export interface MetaCandidateScore {
  name: string;
  score: number;
}

/** A meta-model recipe: what to fit on a set of level-one rows. */
export type MetaRecipe = { kind: "member"; member: number } | { kind: "average" } | { kind: "ridge"; features: MetaFeatureSet; penalty: number };

function rowMembers(data: LevelOneData, row: number): Float64Array[] {
  return data.members.map((member) => member[row]!);
}

/** Every row's true scores, computed once per level-one data set (meta-model fits read them many times). */
const scoreRows = new WeakMap<LevelOneData, Float64Array[]>();

function scoresOf(data: LevelOneData, row: number): Float64Array {
  let rows = scoreRows.get(data);
  if (!rows) {
    rows = data.examples.map((example) => Float64Array.from(data.models, (model) => example.outcomes[model]?.score ?? 0));
    scoreRows.set(data, rows);
  }
  return rows[row]!;
}

/** Fits `recipe` on level-one rows `rows`. */
export function fitMeta(recipe: MetaRecipe, data: LevelOneData, rows: readonly number[]): MetaModel {
  if (recipe.kind !== "ridge") return recipe;
  const m = data.models.length;
  const weights: Float64Array[] = [];
  if (recipe.features === "own") {
    for (let j = 0; j < m; j++) {
      const x = rows.map((row) => metaRow("own", rowMembers(data, row), j, undefined));
      const y = rows.map((row) => Float64Array.of(scoresOf(data, row)[j]!));
      weights.push(fitDenseRidge(x, y, recipe.penalty) ?? fallbackWeights(x[0]?.length ?? data.members.length + 1, 1, data.members.length));
    }
  } else {
    const x = rows.map((row) => metaRow("cross", rowMembers(data, row), 0, data.promptFeatures[row]));
    const y = rows.map((row) => scoresOf(data, row));
    weights.push(fitDenseRidge(x, y, recipe.penalty) ?? new Float64Array((x[0]?.length ?? 1) * m));
  }
  return { kind: "ridge", features: recipe.features, penalty: recipe.penalty, scaling: data.scaling, weights };
}

/** Weights that average the members (own features), used when a ridge system is singular. */
function fallbackWeights(width: number, targets: number, members: number): Float64Array {
  const weights = new Float64Array(width * targets);
  for (let k = 0; k < members; k++) weights[k * targets] = 1 / members;
  return weights;
}

/** Predictions of a fitted meta-model on level-one rows. */
export function applyMeta(meta: MetaModel, data: LevelOneData, rows: readonly number[]): Float64Array[] {
  return rows.map((row) => combine(meta, rowMembers(data, row), data.models.length, undefined, data.promptFeatures[row]));
}

/**
 * Scores every recipe by {@link selectionScore} (APGR on two-model sets, routing AIQ otherwise) of
 * cross-fitted predictions (each fold's level-one rows predicted by the recipe fitted on the other
 * folds' rows). Returns all scores, best first, and the chosen recipe: the SIMPLEST one (earliest in
 * complexity tier: one member, average, ridge on own predictions, ridge on all predictions) whose best
 * candidate is within `minGain` of the best score, so a more complex
 * meta-model has to earn its place by more than cross-validation noise.
 */
export function scoreMetaRecipes(recipes: readonly MetaRecipe[], data: LevelOneData, folds: readonly (readonly number[])[], minGain = 0): { ranked: Array<MetaCandidateScore & { recipe: MetaRecipe }>; chosen: MetaCandidateScore & { recipe: MetaRecipe } } {
  const n = data.examples.length;
  const scored = recipes.map((recipe) => {
    const quality: Float64Array[] = new Array<Float64Array>(n);
    for (const heldOut of folds) {
      if (heldOut.length === 0) continue;
      const meta = fitMeta(recipe, data, complementOf(n, heldOut));
      applyMeta(meta, data, heldOut).forEach((prediction, i) => (quality[heldOut[i]!] = prediction));
    }
    const score = selectionScore(data.examples, data.models, { quality, costUsd: [...data.costUsd] });
    return { name: describeMeta(recipe.kind === "ridge" ? { ...recipe, scaling: data.scaling, weights: [] } : recipe), score, recipe };
  });
  const best = Math.max(...scored.map((candidate) => candidate.score));
  let chosen = scored[0]!;
  for (let tier = 0; tier <= 3; tier++) {
    const inTier = scored.filter((candidate) => complexityOf(candidate.recipe) === tier).sort((a, b) => b.score - a.score);
    if (inTier[0] && inTier[0].score >= best - minGain) {
      chosen = inTier[0];
      break;
    }
  }
  return { ranked: [...scored].sort((a, b) => b.score - a.score), chosen };
}

/** Complexity tier of a recipe: 0 one member, 1 average, 2 ridge on own predictions, 3 ridge on everything. */
function complexityOf(recipe: MetaRecipe): number {
  if (recipe.kind === "member") return 0;
  if (recipe.kind === "average") return 1;
  return recipe.features === "own" ? 2 : 3;
}

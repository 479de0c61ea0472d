import { complementOf } from "../../training/cross-validation.js";
import { routeInputOf } from "../../training/predict.js";
import { subsetTrainingSet } from "../../training/training-set.js";
import type { Router } from "../router.js";
import type { TrainingSet } from "../router-trainer.js";
import type { MemberView } from "./member-view.js";
import { shareNeighbourSearches } from "./share-neighbour-searches.js";

/** One member's fold-model trainer and the view its data comes from. */
export interface FoldMember {
  view: MemberView;
  train: (fit: TrainingSet) => Router;
}

/**
 * Out-of-fold predictions of every member at once (stacking's level-one data, Wolpert 1992): for each
 * fold, every member is trained on the other folds of its view's data and predicts the held-out rows.
 * The same as `outOfFoldPredictions` with `trainerFoldPredictor` run member by member — each member's
 * fold models see the same rows and options, so the predictions are identical — but fold by fold: the
 * members' fold models exist together, so kNN members over the same view's vectors (knn and task-knn)
 * share one neighbour search per held-out row (`shareNeighbourSearches`), and each view's fold subsets
 * and route inputs are built once. Returns `result[k][row]`, aligned with `models`.
 */
export function sharedOutOfFoldPredictions(members: readonly FoldMember[], viewData: (view: MemberView) => TrainingSet, folds: readonly (readonly number[])[], models: readonly string[]): Float64Array[][] {
  const views = [...new Set(members.map((member) => member.view))];
  const rows = viewData(members[0]?.view ?? "prompt").examples.length;
  const result: Float64Array[][] = members.map(() => new Array<Float64Array>(rows));
  for (const heldOut of folds) {
    if (heldOut.length === 0) continue;
    const fitRows = complementOf(rows, heldOut);
    const fitData = new Map(views.map((view) => [view, subsetTrainingSet(viewData(view), fitRows)]));
    const heldData = new Map(views.map((view) => [view, subsetTrainingSet(viewData(view), heldOut)]));
    const routers = members.map((member) => member.train(fitData.get(member.view)!));
    shareNeighbourSearches(routers, members.map((member) => member.view));
    const positions = routers.map((router) => models.map((model) => router.models.indexOf(model)));
    heldOut.forEach((row, i) => {
      const inputs = new Map(views.map((view) => [view, routeInputOf(heldData.get(view)!, i)]));
      routers.forEach((router, k) => {
        const predicted = router.predictQuality(inputs.get(members[k]!.view)!);
        result[k]![row] = Float64Array.from(positions[k]!, (p) => (p >= 0 ? predicted[p]! : 0));
      });
    });
  }
  for (const rowsOfMember of result) for (let i = 0; i < rows; i++) if (!rowsOfMember[i]) rowsOfMember[i] = new Float64Array(models.length);
  return result;
}

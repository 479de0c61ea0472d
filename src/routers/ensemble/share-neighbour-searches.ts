import { KnnRouter, TaskKnnRouter } from "../knn/index.js";
import type { Router } from "../router.js";
import type { MemberView } from "./member-view.js";

/** The kNN router a member searches with (a knn member itself, a task-knn member's inner knn), if any. */
function knnOf(router: Router): KnnRouter | undefined {
  if (router instanceof KnnRouter) return router;
  if (router instanceof TaskKnnRouter) return router.knn;
  return undefined;
}

/**
 * Lets ensemble members that search the same view's bit-identical training vectors (the default
 * `knn` and `task-knn` prompt-view members) share one neighbour search, so a decision scans those
 * vectors once instead of once per member (see `NeighbourSearch`). Predictions are unchanged.
 * Returns how many members now use another member's search.
 */
export function shareNeighbourSearches(routers: readonly Router[], views: readonly MemberView[]): number {
  const owners: Array<{ view: MemberView; knn: KnnRouter }> = [];
  let shared = 0;
  routers.forEach((router, k) => {
    const knn = knnOf(router);
    if (!knn) return;
    const view = views[k]!;
    const owner = owners.find((candidate) => candidate.view === view && knn.shareSearchWith(candidate.knn));
    if (owner) shared++;
    else owners.push({ view, knn });
  });
  return shared;
}

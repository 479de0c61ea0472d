import type { RouterArtifact } from "../artifacts/router-artifact.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import { isOnlineRouter, type OnlineRouter } from "../routers/online-router.js";
import type { Router, RouterState } from "../routers/router.js";
import type { LearningRepository } from "../stores/store.js";
import { observationOf } from "./observation-of.js";

/** An online router with what the store had learned folded in. */
export interface RestoredOnlineRouter {
  /** The artifact with `router` (and `models`) replaced by the learned state: build the engine from it. */
  artifact: RouterArtifact;
  /** The learned router itself (the same state as `artifact.router`). */
  router: OnlineRouter;
  /** The last update-log position folded in. */
  seq: number;
  /** Updates learned in total. */
  updates: number;
  /** Where the state came from: the store's snapshot (plus log), or the artifact (nothing learned yet). */
  source: "store" | "artifact";
  /** Configured targets the state did not know, added with the router's exploration prior. */
  added: string[];
  /** Models of the state that are no longer configured, removed. */
  removed: string[];
}

/** Options of {@link restoreOnlineRouter}. */
export interface RestoreOnlineRouterOptions {
  artifact: RouterArtifact;
  repository: LearningRepository;
  /** Configured target ids (what the router may route to from now on). */
  targets: readonly string[];
  /** Rebuilds a router from its state (default: the strategy registry). */
  fromState?: (state: RouterState) => Router;
}

/**
 * Brings an online router's learned state back at start-up: the store's last snapshot (when it is of the
 * artifact's router kind; else the artifact's state, as if nothing was learned) plus every update the log
 * holds after it, replayed in order — so the state is what it was when the last update was logged, even
 * after a crash between snapshots. Then the model set follows the configuration: configured targets the
 * state does not know get the router's exploration prior (`addModel`), models no longer configured are
 * dropped (`removeModel`); nothing is retrained. Returns undefined when the artifact's router is offline.
 */
export async function restoreOnlineRouter(options: RestoreOnlineRouterOptions): Promise<RestoredOnlineRouter | undefined> {
  const fromState = options.fromState ?? ((state: RouterState) => routerTrainerFor(state.kind).fromState(state));
  const { artifact, repository } = options;
  const initial = fromState(artifact.router);
  if (!isOnlineRouter(initial)) return undefined;
  const snapshot = await repository.snapshot();
  let router: OnlineRouter = initial;
  let seq: number;
  let updates = 0;
  let source: RestoredOnlineRouter["source"] = "artifact";
  if (snapshot !== undefined && snapshot.routerKind === artifact.router.kind) {
    const restored = fromState(JSON.parse(snapshot.state) as RouterState);
    if (!isOnlineRouter(restored)) throw new Error(`the stored learning snapshot of kind ${snapshot.routerKind} is not an online router`);
    router = restored;
    seq = snapshot.seq;
    updates = snapshot.updates;
    source = "store";
  } else {
    // Another router kind's log (or none): what it learned does not apply to this router.
    seq = await repository.lastSeq();
  }
  for (const update of await repository.updatesAfter(seq)) {
    router.update(observationOf(update.input, update.model, update.reward, update.costUsd, update.predictedCostUsd));
    seq = update.seq;
    updates += 1;
    source = "store";
  }
  const configured = new Set(options.targets);
  const added = options.targets.filter((id) => !router.models.includes(id));
  const removed = router.models.filter((id) => !configured.has(id));
  for (const id of added) router.addModel(id);
  for (const id of removed) router.removeModel(id);
  const state = router.toState();
  return { artifact: { ...artifact, router: state, models: [...router.models] }, router, seq, updates, source, added, removed };
}

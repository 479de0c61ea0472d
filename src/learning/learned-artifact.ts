import { isDeepStrictEqual } from "node:util";
import type { RouterArtifact } from "../artifacts/router-artifact.js";
import { SwitchyardError } from "../core/errors.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import { isOnlineRouter } from "../routers/online-router.js";
import type { LearningRepository } from "../stores/store.js";
import { restoreOnlineRouter } from "./restore-online-router.js";

/** Options of {@link exportLearnedArtifact}. */
export interface ExportLearnedArtifactOptions {
  /** The artifact the gateway serves (`router.artifact`). */
  artifact: RouterArtifact;
  repository: LearningRepository;
  /** Configured target ids. */
  targets: readonly string[];
  now?: () => Date;
}

/**
 * The gateway's learned state as a router artifact: the served artifact with its router replaced by what
 * the store holds (snapshot + update log, targets as configured). It can be served as `router.artifact`,
 * evaluated, or imported into another store with {@link importLearnedArtifact}. The update count is kept in
 * `training.onlineUpdates`.
 */
export async function exportLearnedArtifact(options: ExportLearnedArtifactOptions): Promise<RouterArtifact> {
  const restored = await restoreOnlineRouter({ artifact: options.artifact, repository: options.repository, targets: options.targets });
  if (restored === undefined) throw new SwitchyardError("invalid_artifact", `the served router (${options.artifact.router.kind}) is not an online router: there is no learned state to export`, { param: "router.artifact" });
  return {
    ...restored.artifact,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    training: { ...restored.artifact.training, onlineUpdates: restored.updates, learnedFrom: restored.source },
  };
}

/** Options of {@link importLearnedArtifact}. */
export interface ImportLearnedArtifactOptions {
  /** The artifact whose learned state is imported. */
  imported: RouterArtifact;
  /** The artifact the gateway serves: the imported one must use the same embedder (its features mean the same). */
  served: RouterArtifact;
  repository: LearningRepository;
  now?: () => number;
}

/**
 * Replaces the store's learned state with an artifact's online router (its snapshot; the update log is
 * cleared, as it belongs to the replaced state). Refuses an offline router, another router kind than the
 * served one, or another embedder (`invalid_artifact`), changing nothing. Run it while the gateway is
 * stopped: a running gateway keeps its state in memory and would snapshot over the import.
 */
export async function importLearnedArtifact(options: ImportLearnedArtifactOptions): Promise<{ updates: number }> {
  const { imported, served } = options;
  const router = routerTrainerFor(imported.router.kind).fromState(imported.router);
  if (!isOnlineRouter(router)) throw new SwitchyardError("invalid_artifact", `router.kind: ${imported.router.kind} is not an online router; only a bandit's learned state can be imported`, { param: "router.kind" });
  if (imported.router.kind !== served.router.kind) {
    throw new SwitchyardError("invalid_artifact", `router.kind: the imported state is ${imported.router.kind}, the gateway serves ${served.router.kind}`, { param: "router.kind" });
  }
  if (!isDeepStrictEqual(imported.embedder, served.embedder)) {
    throw new SwitchyardError("invalid_artifact", `embedder: the imported state was learned over another embedder (${imported.embedder.kind}) than the served artifact's (${served.embedder.kind}); its features would mean something else`, { param: "embedder" });
  }
  const updates = typeof imported.training.onlineUpdates === "number" ? imported.training.onlineUpdates : 0;
  await options.repository.resetLearnedState({ routerKind: imported.router.kind, state: JSON.stringify(router.toState()), seq: 0, updates, savedAt: options.now?.() ?? Date.now() });
  return { updates };
}

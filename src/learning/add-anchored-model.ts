import type { RouterArtifact } from "../artifacts/router-artifact.js";
import { SwitchyardError } from "../core/errors.js";
import { embedderFromState } from "../embedders/create-embedder.js";
import { routeInputsOf } from "../embedders/route-inputs-of.js";
import type { AnchorObservation } from "../routers/online-router.js";
import type { LearningRepository } from "../stores/store.js";
import { restoreOnlineRouter } from "./restore-online-router.js";

/** One anchor: a prompt the new model was run on, and its graded answer's score in [0, 1]. */
export interface AnchorScore {
  prompt: string;
  score: number;
}

/** Options of {@link addAnchoredModel}. */
export interface AddAnchoredModelOptions {
  /** The artifact the gateway serves (`router.artifact`): its embedder turns the anchor prompts into features. */
  artifact: RouterArtifact;
  repository: LearningRepository;
  /** Configured target ids; `model` must be one of them. */
  targets: readonly string[];
  model: string;
  anchors: readonly AnchorScore[];
  /** When the learned state already routes `model`: forget what it learned of it and add it from the anchors. */
  replace?: boolean;
  now?: () => number;
}

/**
 * Adds a configured target to the store's learned bandit state from its scores on anchor prompts (UniRoute's
 * anchor set: a sample of recent prompts the new model was run on, graded), instead of the optimistic prior
 * the gateway gives a target it has never seen (docs/online-learning.md, "New and removed targets"). The
 * state (snapshot + update log, folded) is written back as the store's snapshot. Run it while the gateway is
 * stopped, like `learning import`: a running gateway keeps its state in memory and would snapshot over it.
 * Bad input — an unconfigured model, an empty or malformed anchor list, a model already routed without
 * `replace`, an offline router — is an error naming the field, and changes nothing.
 */
export async function addAnchoredModel(options: AddAnchoredModelOptions): Promise<{ anchors: number; updates: number; replaced: boolean }> {
  const { model, artifact } = options;
  if (!options.targets.includes(model)) throw new SwitchyardError("invalid_config", `--model: ${JSON.stringify(model)} is not a configured target; add it to targets first`, { param: "--model" });
  if (options.anchors.length === 0) throw new SwitchyardError("invalid_config", "--anchors: no anchors; give the new model's scores on at least one prompt (50–100 go a long way)", { param: "--anchors" });
  options.anchors.forEach((anchor, i) => {
    if (typeof anchor.prompt !== "string" || anchor.prompt.length === 0) throw new SwitchyardError("invalid_config", `--anchors: anchor ${i + 1}: prompt must be a non-empty string`, { param: "--anchors" });
    if (typeof anchor.score !== "number" || !(anchor.score >= 0 && anchor.score <= 1)) throw new SwitchyardError("invalid_config", `--anchors: anchor ${i + 1}: score must be a number in [0, 1], got ${JSON.stringify(anchor.score)}`, { param: "--anchors" });
  });
  // Restored without the model: a state that already routes it drops it here (what `replace` means).
  const restored = await restoreOnlineRouter({ artifact, repository: options.repository, targets: options.targets.filter((id) => id !== model) });
  if (restored === undefined) throw new SwitchyardError("invalid_artifact", `the served router (${artifact.router.kind}) is not an online router: only a bandit adds models online`, { param: "router.artifact" });
  const replaced = restored.removed.includes(model);
  if (replaced && options.replace !== true) {
    throw new SwitchyardError("invalid_config", `--model: the learned state already routes ${JSON.stringify(model)}; pass --replace to forget what it learned of it and add it from the anchors`, { param: "--model" });
  }
  const inputs = await routeInputsOf(await embedderFromState(artifact.embedder), options.anchors.map((anchor) => anchor.prompt));
  const anchors: AnchorObservation[] = options.anchors.map((anchor, i) => ({ input: inputs[i]!, reward: anchor.score }));
  restored.router.addModel(model, { anchors });
  await options.repository.resetLearnedState({ routerKind: artifact.router.kind, state: JSON.stringify(restored.router.toState()), seq: 0, updates: restored.updates, savedAt: options.now?.() ?? Date.now() });
  return { anchors: anchors.length, updates: restored.updates, replaced };
}

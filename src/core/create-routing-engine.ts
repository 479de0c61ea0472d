import { artifactVersionOf } from "../artifacts/artifact-version.js";
import type { RouterArtifact } from "../artifacts/router-artifact.js";
import { embedderFromState } from "../embedders/create-embedder.js";
import { densify, isSparseEmbedder, type SparseVector } from "../embedders/sparse-vector.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import { isOnlineRouter } from "../routers/online-router.js";
import type { RouteInput } from "../routers/router.js";
import { CostModel } from "./cost-model.js";
import { createRandom, type Random } from "./random.js";
import type { CandidatePrediction } from "./objective.js";
import { rankByObjective } from "./objective.js";
import { SwitchyardError } from "./errors.js";
import { willingnessToPayForKnob } from "./knob-calibration.js";
import { promptTextOf, type Query } from "./query.js";
import type { DecideConstraints, RoutingEngine } from "./routing-engine.js";
import type { Target } from "./target.js";
import { estimateTokens } from "./tokens.js";

/** A willingness-to-pay so large that cost only breaks ties. */
const QUALITY_ONLY_WILLINGNESS_TO_PAY = 1e12;

/** Options of {@link createRoutingEngine}. */
export interface CreateRoutingEngineOptions {
  artifact: RouterArtifact;
  /** Configured targets; those the router has no predictions for are not routable by `auto`. */
  targets: readonly Target[];
  /** Knob used when a query sets neither `quality` nor `willingnessToPay` (default 0.5). */
  defaultQuality?: number;
  /** Content version recorded with each decision (default: {@link artifactVersionOf} the artifact, computed once here). */
  artifactVersion?: string;
  /** Exploration draws of online routers (default seeded from the clock; pass a seeded one in tests). */
  random?: Random;
}

/**
 * Builds the routing engine from a trained artifact: embed the prompt → router predicts each candidate's
 * quality → cost model predicts its cost → RouterBench's objective picks the best allowed candidate.
 *
 * @example
 * const engine = await createRoutingEngine({ artifact: await loadRouterArtifact("router.json"), targets });
 * const decision = await engine.decide(queryOfPrompt("What is 2 + 2?", { quality: 0.3 }));
 */
export async function createRoutingEngine(options: CreateRoutingEngineOptions): Promise<RoutingEngine> {
  const { artifact } = options;
  const embedder = await embedderFromState(artifact.embedder);
  const router = routerTrainerFor(artifact.router.kind).fromState(artifact.router);
  const costModel = CostModel.fromState(artifact.costModel);
  let routerIndex = new Map(router.models.map((model, i) => [model, i]));
  let indexedModels = router.models;
  const targets = options.targets.filter((target) => routerIndex.has(target.id));
  if (targets.length === 0) {
    throw new SwitchyardError("invalid_config", `none of the configured targets is known to the router (it knows: ${router.models.join(", ")})`, { param: "targets" });
  }
  const defaultQuality = options.defaultQuality ?? 0.5;
  const sparse = isSparseEmbedder(embedder) ? embedder : undefined;
  const online = isOnlineRouter(router) ? router : undefined;
  const random = options.random ?? createRandom(Date.now() % 2 ** 31);
  const artifactVersion = options.artifactVersion ?? artifactVersionOf(artifact);
  // The decision closure keeps only what it reads, never the artifact: its state strings (tens of MB of
  // base64 for a large kNN) can then be collected once the router is built.
  const { calibration } = artifact;

  return {
    routerName: router.kind,
    router,
    targets,
    async decide(query: Query, constraints: DecideConstraints = {}) {
      const started = performance.now();
      const allowed = query.options?.allowedModels ? new Set(query.options.allowedModels) : undefined;
      const candidates = targets.filter(
        (target) => (!allowed || allowed.has(target.id)) && !constraints.exclude?.has(target.id) && (!constraints.only || constraints.only.has(target.id)),
      );
      if (candidates.length === 0) {
        throw new SwitchyardError("no_candidates", "no target is left after applying allowed_models and the gateway's constraints", { param: allowed ? "allowed_models" : null });
      }
      const text = promptTextOf(query.messages);
      const promptTokens = estimateTokens(text);
      let input: RouteInput;
      if (sparse) {
        // Embedded on first read (own getters, so spreads copy them): a router that reads no features
        // (`cheapest`, `random`, `best-single`) costs no embedding; a sparse index reads only the sparse
        // form, and the dense copy (16 KB for 4,096 buckets) is built only if a router, the learner or an
        // explanation asks for it.
        let sparseVector: SparseVector | undefined;
        let dense: Float32Array | undefined;
        const dimension = embedder.dimension;
        input = {
          text,
          promptTokens,
          id: query.id,
          get sparseEmbedding() {
            sparseVector ??= sparse.embedSparse([text])[0] as SparseVector;
            return sparseVector;
          },
          get embedding() {
            dense ??= densify(this.sparseEmbedding as SparseVector, dimension);
            return dense;
          },
        };
      } else {
        input = { text, embedding: (await embedder.embed([text]))[0]!, promptTokens, id: query.id };
      }
      if (router.models !== indexedModels) {
        // An online router's model list changes with addModel/removeModel: re-align predictions with it.
        indexedModels = router.models;
        routerIndex = new Map(router.models.map((model, i) => [model, i]));
      }
      const quality = router.predictQuality(input);
      const ownCost = router.predictCostUsd?.(input);
      let predictions: CandidatePrediction[] = candidates.filter((target) => routerIndex.has(target.id)).map((target) => {
        const i = routerIndex.get(target.id)!;
        return {
          model: target.id,
          predictedQuality: quality[i]!,
          predictedCostUsd: ownCost ? ownCost[i]! : costModel.predict(target.id, input.promptTokens, target),
        };
      });
      if (predictions.length === 0) throw new SwitchyardError("no_candidates", "no allowed target is known to the router", { param: allowed ? "allowed_models" : null });
      if (constraints.maxCostUsd !== undefined) {
        const affordable = predictions.filter((p) => p.predictedCostUsd <= constraints.maxCostUsd!);
        predictions = affordable.length > 0 ? affordable : [predictions.reduce((a, b) => (b.predictedCostUsd < a.predictedCostUsd ? b : a))];
      }
      const knob = query.options?.willingnessToPay === undefined ? (query.options?.quality ?? defaultQuality) : undefined;
      const baseWillingnessToPay = query.options?.willingnessToPay ?? willingnessToPayForKnob(calibration, knob ?? defaultQuality);
      const willingnessToPay = constraints.adjustWillingnessToPay ? constraints.adjustWillingnessToPay(baseWillingnessToPay) : baseWillingnessToPay;
      // A router that does not trade quality for cost (best-single, random) is ranked by quality alone.
      const ranked = rankByObjective(predictions, router.followsObjective ? willingnessToPay : QUALITY_ONLY_WILLINGNESS_TO_PAY);
      if (online !== undefined) {
        // An online router explores: it picks among the same candidates (never outside them) and says
        // with which probability; `candidates` stays ranked by the posterior mean for explanations.
        const choice = online.choose(input, predictions, willingnessToPay, random);
        return { model: choice.model, router: router.kind, willingnessToPay, quality: knob, artifact: artifactVersion, candidates: ranked, decisionMs: performance.now() - started, propensity: choice.propensity, routeInput: input };
      }
      return { model: ranked[0]!.model, router: router.kind, willingnessToPay, quality: knob, artifact: artifactVersion, candidates: ranked, decisionMs: performance.now() - started };
    },
  };
}

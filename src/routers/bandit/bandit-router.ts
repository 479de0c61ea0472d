import type { CostModel } from "../../core/cost-model.js";
import type { CandidatePrediction } from "../../core/objective.js";
import type { Random } from "../../core/random.js";
import { clamp01 } from "../../math/scalar-functions.js";
import { sparseEntriesOf } from "../../math/sparse-rows.js";
import { LinearFeatures, type LinearFeatureSpec } from "../linear/linear-features.js";
import type { AddOnlineModelOptions, OnlineChoice, OnlineObservation, OnlineRouter } from "../online-router.js";
import type { RouteInput, RouterState } from "../router.js";
import { anchorPriorQuality, fitAnchorPrior, refineAnchorPrior, type AnchorPrior } from "./anchor-prior.js";
import { ArmModel, type ArmModelState, type FeatureEntries } from "./arm-model.js";
import { newModelExplorationOf, type BanditKind, type BanditParams } from "./bandit-params.js";
import { chooseArm, type ArmChoice, type ExplorationPolicy } from "./choose-arm.js";
import { ChangeDetector, type ChangeDetectorState } from "./change-detector.js";
import { gateConservatively } from "./conservative-choice.js";
import { CostRatios, type CostRatioState } from "./cost-ratio.js";
import type { PriorQuality } from "./prior-quality.js";
import { SharedModel, type SharedModelState } from "./shared-model.js";

/** Everything a {@link BanditRouter} is made of (see `createBanditRouter` for the usual way to build one). */
export interface BanditRouterParts {
  kind: BanditKind;
  params: BanditParams;
  models: readonly string[];
  features: LinearFeatureSpec;
  prior: PriorQuality;
  /** JSON state of the prior (kept as it came, for `toState`). */
  priorState: { kind: "constant"; quality: number } | { kind: "router"; router: RouterState };
  /** The cost model the engine predicts with, used when an observation does not carry the predicted cost. */
  costModel?: CostModel;
  arms?: Record<string, ArmModelState>;
  costRatios?: Record<string, CostRatioState>;
  shared?: SharedModelState;
  /** Models added online (`addModel`): their prior is the known models' best (or mean) posterior at x. */
  added?: readonly string[];
  /** Models whose arm the change detector restarted: the prior no longer speaks for them. */
  restarted?: readonly string[];
  /** Change detectors' state per model. */
  detectors?: Record<string, ChangeDetectorState>;
  /** Added models measured on anchor prompts: their prior as a read-out of the known models' qualities. */
  anchorPriors?: Record<string, AnchorPrior>;
  /** Standardised log price per model (hybrid's target descriptor). */
  descriptors?: Record<string, number>;
  /** Level shifts per model from change alarms ("shift" restarts), added to the model's prior quality. */
  levels?: Record<string, number>;
  steps?: number;
}

/** The state version bandit routers write. */
export const BANDIT_STATE_VERSION = 1;

function policyOf(kind: BanditKind, params: BanditParams): ExplorationPolicy {
  if (kind === "linucb") return { kind: "ucb", alpha: params.alpha };
  if (kind === "thompson") return { kind: "thompson", posteriorScale: params.posteriorScale, propensityDraws: params.propensityDraws };
  return { kind: "epsilon", epsilon: params.epsilon };
}

/**
 * A linear contextual bandit over the prompt's features φ(x) = [count sketch of the embedding, log tokens,
 * 1] (the `linear` router's map, so 512-d dense or 4,096-bucket sparse embeddings both work): one discounted
 * ridge model per target (disjoint arms) of the residual reward − q₀(x) over a prior q₀ (an offline router
 * for a warm start, a constant for a cold one), optionally plus a shared model over target descriptors
 * (hybrid LinUCB). It chooses `argmax wtp × quality − cost` with the quality term explored by LinUCB,
 * Thompson sampling or ε-greedy, and cost = the engine's prediction × a learned real/predicted ratio.
 *
 * @example
 * const choice = router.choose(input, candidates, 0.01, createRandom(1));
 * router.update({ input, model: choice.model, reward: 1, costUsd: 0.0004, predictedCostUsd: 0.0003 });
 */
export class BanditRouter implements OnlineRouter {
  readonly online = true;
  readonly followsObjective = true;
  readonly kind: BanditKind;
  models: readonly string[];
  readonly params: BanditParams;
  private readonly features: LinearFeatures;
  private readonly prior: PriorQuality;
  private readonly priorState: BanditRouterParts["priorState"];
  private readonly costModel: CostModel | undefined;
  private readonly arms = new Map<string, ArmModel>();
  private readonly costRatios: CostRatios;
  private readonly policy: ExplorationPolicy;
  private readonly shared: SharedModel | undefined;
  private readonly added: Set<string>;
  private readonly restarted: Set<string>;
  private readonly detectors = new Map<string, ChangeDetector>();
  private readonly anchorPriors: Map<string, AnchorPrior>;
  /** Per model: the sum of the changes the detector measured on "shift" restarts, added to q₀ (see levelOf). */
  private readonly levels: Map<string, number>;
  /** Arms restarted by the change detector since this router was built from its state. */
  restarts = 0;
  /** λ of the arms: `warmLambda` over an offline prior, `lambda` for a cold start. */
  private readonly lambda: number;
  /** Width multiplier of models added online (`newModelExploration` or its per-kind default). */
  private readonly newModelExploration: number;
  private steps: number;

  constructor(parts: BanditRouterParts) {
    this.kind = parts.kind;
    this.params = parts.params;
    this.models = [...parts.models];
    this.features = new LinearFeatures(parts.features);
    this.prior = parts.prior;
    this.priorState = parts.priorState;
    this.costModel = parts.costModel;
    this.policy = policyOf(parts.kind, parts.params);
    this.costRatios = new CostRatios({ discount: parts.params.costDiscount, priorWeight: parts.params.costPriorWeight }, parts.costRatios);
    this.steps = parts.steps ?? 0;
    this.added = new Set(parts.added ?? []);
    this.restarted = new Set(parts.restarted ?? []);
    this.anchorPriors = new Map(Object.entries(parts.anchorPriors ?? {}));
    this.levels = new Map(Object.entries(parts.levels ?? {}));
    this.lambda = parts.priorState.kind === "router" ? parts.params.warmLambda : parts.params.lambda;
    this.newModelExploration = newModelExplorationOf(parts.kind, parts.params);
    for (const model of this.models) this.arms.set(model, this.armOf(model, parts.arms?.[model]));
    const detection = parts.params.changeDetection;
    if (detection !== false) for (const model of this.models) this.detectors.set(model, new ChangeDetector(detection, parts.detectors?.[model]));
    this.shared = parts.params.hybrid
      ? new SharedModel({ features: parts.features, sharedDimension: parts.params.sharedDimension, lambda: parts.params.lambda, descriptors: parts.descriptors ?? {} }, parts.shared)
      : undefined;
  }

  /** Feature width p. */
  get featureDimension(): number {
    return this.features.dimension;
  }

  /** Observations learned since the router was created from data or a prior. */
  get observedSteps(): number {
    return this.steps;
  }

  predictQuality(input: RouteInput): Float64Array {
    const x = this.featuresOf(input);
    const prior = this.priorsOf(input, this.models, x);
    const z = this.shared?.featuresOf(input);
    return Float64Array.from(this.models, (model, i) => clamp01(prior[i]! + this.arms.get(model)!.mean(x) + (z ? this.shared!.mean(z, model) : 0)));
  }

  explain(input: RouteInput): string[] {
    const x = this.featuresOf(input);
    const quality = this.predictQuality(input);
    return this.models.map((model, i) => {
      const arm = this.arms.get(model)!;
      const added = this.anchorPriors.has(model) ? "added online with a prior read out from its anchor prompts" : this.added.has(model) ? "added online with an assumed prior" : undefined;
      return `${model}: mean quality ${quality[i]!.toFixed(3)} ± ${Math.sqrt(arm.variance(x)).toFixed(3)} (noise units), ${arm.observations.toFixed(1)} discounted observations, cost ratio ${this.costRatios.ratioOf(model).toFixed(2)}${added ? `, ${added}, explored at ${this.newModelExploration}× the known models' width` : ""}${this.restarted.has(model) ? `, restarted by the change detector (the prior no longer trusted${this.levels.has(model) ? `; its level moved by ${this.levels.get(model)!.toFixed(3)}` : ""})` : ""}`;
    });
  }

  choose(input: RouteInput, candidates: readonly CandidatePrediction[], willingnessToPay: number, random: Random): OnlineChoice {
    const choice = this.chooseWithPropensities(input, candidates, willingnessToPay, random);
    return { model: candidates[choice.index]!.model, propensity: choice.propensity, scoredQuality: choice.scoredQuality };
  }

  /** {@link choose}, also returning every candidate's probability under the policy (tests, off-policy evaluation). */
  chooseWithPropensities(input: RouteInput, candidates: readonly CandidatePrediction[], willingnessToPay: number, random: Random): ArmChoice {
    if (candidates.length === 0) throw new RangeError("choose needs at least one candidate");
    for (const candidate of candidates) if (!this.arms.has(candidate.model)) this.addModel(candidate.model);
    const x = this.featuresOf(input);
    const z = this.shared?.featuresOf(input);
    const names = candidates.map((candidate) => candidate.model);
    const prior = this.priorsOf(input, names, x);
    const m = candidates.length;
    // Models added online draw optimistically under Thompson sampling (ArmScores.optimistic).
    const scores = { models: names, mean: new Float64Array(m), width: new Float64Array(m), costUsd: new Float64Array(m), optimistic: this.added.size > 0 ? names.map((name) => this.added.has(name)) : undefined };
    for (let i = 0; i < m; i++) {
      const candidate = candidates[i]!;
      const arm = this.arms.get(candidate.model)!;
      let mean = prior[i]! + arm.mean(x);
      let variance = arm.variance(x);
      if (z && this.shared) {
        mean += this.shared.mean(z, candidate.model);
        variance += this.shared.variance(z, candidate.model);
      }
      scores.mean[i] = mean;
      scores.width[i] = Math.sqrt(variance) * (this.added.has(candidate.model) ? this.newModelExploration : 1);
      scores.costUsd[i] = candidate.predictedCostUsd * this.costRatios.ratioOf(candidate.model);
    }
    const choice = chooseArm(scores, willingnessToPay, this.policy, random);
    if (this.params.conservative === false || this.priorState.kind !== "router") return choice;
    // The gate's baseline is the offline router's choice: its own q₀, not the optimistic prior of added models.
    // Models added online, or whose change the detector saw, are not the prior's to protect.
    const exempt = names.map((name) => this.added.has(name) || this.restarted.has(name));
    return gateConservatively(choice, scores, willingnessToPay, { beta: this.params.conservative, priorQuality: prior, exempt, explore: this.params.conservativeExploration }, random);
  }

  update(observation: OnlineObservation): boolean {
    return this.learn(observation, { discount: true });
  }

  /** {@link update}, optionally without the discount step (full-information labels that have no time order). */
  learn(observation: OnlineObservation, options: { discount: boolean }): boolean {
    const arm = this.arms.get(observation.model);
    if (!arm || !Number.isFinite(observation.reward)) return false;
    const reward = clamp01(observation.reward);
    const x = this.featuresOf(observation.input);
    const prior = this.priorsOf(observation.input, [observation.model], x)[0]!;
    const z = this.shared?.featuresOf(observation.input);
    // D-LinUCB: every arm's statistics are discounted at every step, so an arm not served lately grows
    // uncertain again and is re-explored (a model whose price fell or quality rose is found again).
    if (options.discount) {
      for (const other of this.arms.values()) {
        other.discount(this.params.discount);
        other.topUp();
      }
      this.shared?.discount(this.params.discount);
    }
    const residual = reward - prior - (z && this.shared ? this.shared.mean(z, observation.model) : 0);
    // The one-step-ahead error, before the arm learns this reward: what the change detector watches.
    const error = residual - arm.mean(x);
    // An anchored model's served outcome refines its read-out first; its arm learns what that leaves.
    const anchored = options.discount ? this.anchorPriors.get(observation.model) : undefined;
    if (anchored) {
      const known = this.knownModels();
      const qualities = this.posteriorsOf(observation.input, known, x);
      const refined = refineAnchorPrior(anchored, known, qualities, reward);
      this.anchorPriors.set(observation.model, refined);
      arm.update(x, residual + prior - anchorPriorQuality(refined, known, qualities) - this.levelOf(observation.model));
    } else arm.update(x, residual);
    if (z && this.shared) this.shared.update(z, observation.model, reward - prior - arm.mean(x));
    if (observation.costUsd !== undefined) {
      const predicted = observation.predictedCostUsd ?? this.costModel?.predict(observation.model, observation.input.promptTokens);
      if (predicted !== undefined) this.costRatios.observe(observation.model, observation.costUsd, predicted);
    }
    // Full-information labels have no time order: only served traffic is watched for change.
    const detector = options.discount ? this.detectorOf(observation.model) : undefined;
    if (detector?.observe(error)) this.restartArm(observation.model, detector.shift);
    this.steps++;
    return true;
  }

  /** A model's change detector (created for a model added online); undefined when detection is off. */
  private detectorOf(model: string): ChangeDetector | undefined {
    const detection = this.params.changeDetection;
    if (detection === false) return undefined;
    let detector = this.detectors.get(model);
    if (!detector) this.detectors.set(model, (detector = new ChangeDetector(detection)));
    return detector;
  }

  /**
   * The detector saw `model`'s rewards shift by about `shift` (the mean error of the alarming run). A known
   * model of a warm start ("shift", its default): the arm keeps what it learned and the model's level moves by
   * `shift` — the offline prior's opinion of it is out of date by that much, everywhere at once, whereas a
   * forgetting arm would relearn the offset direction by direction of the prompt features while the stale prior
   * still speaks for the prompts it has not seen. Otherwise ("forget"): the arm forgets everything
   * (discounting would take ~1/(1 − γ) steps to) and restarts with the cold ridge `lambda`, explored again from
   * its prior; a model added with anchors also loses its anchor prior (measured before the shift, and without
   * the arm's corrections it can sit low enough never to be served again): it is explored afresh from the
   * `newModelPrior`. Either way the conservative gate stops protecting the prior's choice of it.
   */
  private restartArm(model: string, shift: number): void {
    this.restarted.add(model);
    this.restarts++;
    if (this.restartModeOf(model) === "shift") {
      this.levels.set(model, this.levelOf(model) + shift);
      return;
    }
    this.anchorPriors.delete(model);
    this.levels.delete(model);
    this.arms.set(model, this.armOf(model, undefined));
  }

  /** What an alarm does to `model`'s arm: the `changeDetection.restart` setting, or its default by start and model. */
  private restartModeOf(model: string): "shift" | "forget" {
    const configured = this.params.changeDetection === false ? undefined : this.params.changeDetection.restart;
    return configured ?? (this.priorState.kind === "router" && !this.added.has(model) ? "shift" : "forget");
  }

  /** One target's arm, its re-inversions staggered by a phase drawn from the target's id (see `staggerReinversion`). */
  private armOf(model: string, state: ArmModelState | undefined): ArmModel {
    const arm = new ArmModel(this.features.dimension, this.lambdaOf(model), state);
    let hash = 0x811c9dc5;
    for (let i = 0; i < model.length; i++) hash = Math.imul(hash ^ model.charCodeAt(i), 0x01000193) >>> 0;
    arm.staggerReinversion(hash / 2 ** 32);
    return arm;
  }

  /**
   * Adds a model with an exploration prior. Without anchors: `newModelPrior` (optimistic by default). With
   * `anchors` — the new model's rewards on a few prompts it was run on when added (UniRoute's anchor set;
   * recent traffic, graded) — its prior is a read-out of the known models' posterior qualities at x fitted on
   * the anchors (anchor-prior.ts: which incumbents it answers like, shrunk toward `cluster`'s
   * cluster-difficulty estimate), and its arm, at the cold λ, learns the anchors' residuals as labelled
   * observations (no discount step, not watched by the change detector).
   */
  addModel(model: string, options: AddOnlineModelOptions = {}): void {
    if (this.arms.has(model)) return;
    // An anchor without a finite reward says nothing (as in `learn`): it is left out of the fit too.
    const anchors = (options.anchors ?? []).filter((anchor) => Number.isFinite(anchor.reward));
    if (anchors.length > 0) {
      const known = this.knownModels();
      const rows = anchors.map((anchor) => ({ known: this.posteriorsOf(anchor.input, known, this.featuresOf(anchor.input)), reward: anchor.reward }));
      this.anchorPriors.set(model, fitAnchorPrior(rows, known, this.params.anchorShrinkage));
    }
    // A new model has no prior of its own (see priorsOf); its arm's λ is the weight of that prior.
    this.added.add(model);
    this.arms.set(model, this.armOf(model, undefined));
    this.shared?.addModel(model);
    this.models = [...this.models, model];
    for (const anchor of anchors) this.learn({ ...anchor, model }, { discount: false });
  }

  removeModel(model: string): void {
    if (!this.arms.delete(model)) return;
    this.costRatios.delete(model);
    this.added.delete(model);
    this.restarted.delete(model);
    this.anchorPriors.delete(model);
    this.levels.delete(model);
    this.detectors.delete(model);
    this.shared?.removeModel(model);
    this.models = this.models.filter((known) => known !== model);
  }

  toState(): RouterState {
    return {
      kind: this.kind,
      version: BANDIT_STATE_VERSION,
      models: [...this.models],
      params: this.params,
      features: { ...this.features.spec },
      prior: this.priorState,
      costModel: this.costModel?.toState(),
      arms: Object.fromEntries(this.models.map((model) => [model, this.arms.get(model)!.toState()])),
      costRatios: this.costRatios.toState(),
      shared: this.shared?.toState(),
      added: [...this.added],
      restarted: [...this.restarted],
      detectors: Object.fromEntries([...this.detectors].map(([model, detector]) => [model, detector.toState()])),
      anchorPriors: Object.fromEntries(this.anchorPriors),
      levels: Object.fromEntries(this.levels),
      steps: this.steps,
    };
  }

  /**
   * λ of a model's arm: for a model added online, `lambda` when it was added with anchors (its measured
   * outcomes, not an assumed prior, shape it) and `newModelPriorWeight` otherwise — the weight of its assumed
   * prior, after a restart too (a restarted optimistic arm at λ = 1 could be locked out by one early
   * failure); `lambda` for a known model the change detector restarted; else the start's λ.
   */
  private lambdaOf(model: string): number {
    if (this.anchorPriors.has(model)) return this.params.lambda;
    if (this.added.has(model)) return this.params.newModelPriorWeight;
    return this.restarted.has(model) ? this.params.lambda : this.lambda;
  }

  /**
   * q₀(x) of each of `names`. A model added online has no prior of its own: "optimistic" (the default)
   * gives it the maximum reward 1 — optimistic initial values: explored until its own rewards pull the
   * estimate down, never locked out by the noise of its first answers — "best" the best and "mean" the
   * mean posterior quality of the other models at this prompt; its arm learns its residual from there.
   */
  private priorsOf(input: RouteInput, names: readonly string[], x: FeatureEntries): Float64Array {
    const priors = this.basePriorsOf(input, names, x);
    if (this.levels.size > 0) names.forEach((name, i) => (priors[i]! += this.levelOf(name)));
    return priors;
  }

  /** {@link priorsOf} before the change detector's level shifts. */
  private basePriorsOf(input: RouteInput, names: readonly string[], x: FeatureEntries): Float64Array {
    const priors = this.prior.predict(input, names);
    if (this.added.size === 0 || !names.some((name) => this.added.has(name))) return priors;
    const known = this.knownModels();
    const needsKnown = this.params.newModelPrior !== "optimistic" || names.some((name) => this.anchorPriors.has(name));
    const qualities = needsKnown && known.length > 0 ? this.posteriorsOf(input, known, x) : undefined;
    names.forEach((name, i) => {
      if (!this.added.has(name)) return;
      const anchored = this.anchorPriors.get(name);
      if (anchored && qualities) priors[i] = anchorPriorQuality(anchored, known, qualities);
      else if (this.params.newModelPrior === "optimistic") priors[i] = 1;
      else if (qualities) priors[i] = clamp01(this.params.newModelPrior === "best" ? Math.max(...qualities) : qualities.reduce((a, b) => a + b, 0) / qualities.length);
    });
    return priors;
  }

  /** The models the bandit started with (not added online). */
  private knownModels(): string[] {
    return this.models.filter((model) => !this.added.has(model));
  }

  /** Posterior mean quality (prior + level + arm) of each of `models` (none added online) at x. */
  private posteriorsOf(input: RouteInput, models: readonly string[], x: FeatureEntries): Float64Array {
    const priors = this.prior.predict(input, models);
    return Float64Array.from(models, (model, k) => priors[k]! + this.levelOf(model) + this.arms.get(model)!.mean(x));
  }

  /** The sum of the changes the detector measured on `model` ("shift" restarts); 0 for most models. */
  private levelOf(model: string): number {
    return this.levels.get(model) ?? 0;
  }

  private featuresOf(input: RouteInput): FeatureEntries {
    const { indices, values, count } = this.features.entriesOf(sparseEntriesOf(input.embedding, input.sparseEmbedding), input.promptTokens);
    // entriesOf reuses its buffers: copy, since the shared model and the arms read x at different times.
    return { indices: indices.slice(0, count), values: values.slice(0, count), count };
  }
}

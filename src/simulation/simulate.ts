import { CostModel } from "../core/cost-model.js";
import { SwitchyardError } from "../core/errors.js";
import { expectedSpendForKnob, willingnessToPayForKnob } from "../core/knob-calibration.js";
import { rankByObjective, type CandidatePrediction } from "../core/objective.js";
import { createRandom, shuffled } from "../core/random.js";
import type { RoutingExample } from "../data/routing-example.js";
import { routeInputsOf } from "../embedders/route-inputs-of.js";
import { BudgetPacer } from "../limits/budget-pacer.js";
import { fitLogTokenScale } from "../math/log-token-feature.js";
import { banditParamsSchema, createBanditRouter, type BanditRouter } from "../routers/bandit/index.js";
import { parseRouterParams } from "../routers/parse-router-params.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import type { AnchorObservation } from "../routers/online-router.js";
import type { Router, RouteInput } from "../routers/router.js";
import { trainRouter } from "../training/train-router.js";
import { prepareTraining, type EmbedderSpec } from "../training/training-set.js";
import { ReferencePacer } from "./reference-pacer.js";
import { parseRouterSpecs, type SimulatedRouterSpec } from "./router-specs.js";
import { createScenario, type Scenario, type ScenarioName } from "./scenario.js";
import { latencyOf, summarizeRun, type RouterRunSummary } from "./simulation-summary.js";

/** Quality-only routers (best-single, random) are ranked by quality alone, as the engine does. */
const QUALITY_ONLY_WILLINGNESS_TO_PAY = 1e12;

/** One line of the decisions file: what one router did at one step. */
export interface SimulationLine {
  router: string;
  step: number;
  id: string;
  /** The served model; null when the budget guard refused the request (nothing affordable was left). */
  model: string | null;
  propensity: number;
  reward: number;
  costUsd: number;
}

/** Options of {@link simulate}. */
export interface SimulationOptions {
  examples: readonly RoutingExample[];
  models: readonly string[];
  /** Router names (`--router`): bandits with or without `+warm`/`+cold`, static strategies. */
  routers: readonly string[];
  /** The static reference and the warm starts' prior (default `knn`). */
  offlineRouter?: string;
  /** Share of prompts that form the labelled history (default 0.3). */
  history?: number;
  seed?: number;
  /** Parameters of every bandit router. */
  params?: Record<string, unknown>;
  scenario?: ScenarioName;
  /** A budget for the whole stream: each router is paced by its own {@link BudgetPacer}. */
  budgetUsd?: number;
  /** The knob every router is run at (default 0.5), mapped through the reference's calibration. */
  quality?: number;
  /**
   * Pace every online router to the knob's calibrated spend: a {@link BudgetPacer} over the stream with
   * a budget of the reference's expected spend per prompt at `quality` (its knob calibration, measured on
   * the history) × streamed steps. The knob then means the same money for an online router as for the
   * offline one, so rewards compare at equal cost. Static routers are not paced. Ignored with `budgetUsd`.
   */
  paceToKnob?: boolean;
  /**
   * A measuring device, not a deployable policy: hold every online router (and a `+paced` static copy) to the
   * offline reference's realised spend on this stream, step by step (its cost at every step is known because it
   * streams first; {@link ReferencePacer}), so rewards compare at exactly equal money and a router that routes
   * like the reference is not moved at all. Ignored with `budgetUsd`; wins over `paceToKnob`.
   */
  paceToReference?: boolean;
  /**
   * Run every router at this willingness-to-pay instead of the knob's (e.g. a reference trained on other
   * data, compared at the same wtp as the run it is the reference for).
   */
  willingnessToPay?: number;
  /**
   * A measuring device for ceilings, not bandit feedback: after each step every bandit router also learns
   * every other available model's score on that prompt (without a discount step), i.e. what it would learn
   * if all outcomes were revealed. How far a router's model class can get with full information bounds what
   * exploration can buy (benchmarks/online-learning-cold-ceiling.ts).
   */
  fullInformation?: boolean;
  /**
   * `new-model` only: when the model arrives, bandits are given its outcomes on this many anchor prompts
   * drawn (seeded) from the traffic streamed before it arrived — what a deployment gets by running the new
   * model on a sample of recent prompts and grading the answers before routing to it (UniRoute; `cluster`'s
   * `addModel`) — instead of the assumed optimistic prior. What those calls cost is reported as
   * `scenario.anchorCostUsd`, apart from the routers' spend. Default 0.
   */
  anchors?: number;
  embedder?: EmbedderSpec;
  /** Steps per report window (default 250). */
  windowSize?: number;
  onLine?: (line: SimulationLine) => void;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** What a simulation measured. */
export interface SimulationResult {
  dataset: { historyPrompts: number; streamedSteps: number; models: readonly string[] };
  scenario: { name: ScenarioName; model?: string; fromStep: number; anchors: number; anchorCostUsd: number };
  seed: number;
  willingnessToPay: number;
  /** The reference's calibrated expected spend per prompt at the knob (predicted costs, on the history). */
  knobSpendUsd: number;
  budgetUsd?: number;
  /** Whether online routers were paced to `knobSpendUsd` per step. */
  pacedToKnob: boolean;
  /** Whether online routers were paced to the reference's realised spend. */
  pacedToReference: boolean;
  /** The model with the best total utility (wtp × reward − cost) on the stream, among models routable throughout. */
  bestFixedModel: string;
  referenceRouter: string;
  windowSize: number;
  routers: RouterRunSummary[];
}

interface Step {
  example: RoutingExample;
  input: RouteInput;
}

/** Recorded per-step outcome of one router (for the summary). */
export interface StepRecord {
  model: string | null;
  reward: number;
  costUsd: number;
}

/**
 * Replays a routing dataset as a stream of traffic with bandit feedback (issue 13, item 7). A seeded
 * `history` share of the prompts is the labelled past: the embedder, the cost model, the static routers
 * and the warm starts' prior are trained on it alone. Every other prompt is then streamed once, in a
 * seeded order, to each router in turn; a router sees only the chosen model's score (as the scenario
 * modifies it) as its reward. Every router runs at the same willingness-to-pay: the knob `quality`
 * through the reference router's calibration (measured on the history).
 *
 * @example
 * const result = await simulate({ examples, models, routers: ["linucb"], scenario: "drift", onLine: (line) => out.write(JSON.stringify(line) + "\n") });
 */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const seed = options.seed ?? 42;
  const historyShare = options.history ?? 0.3;
  if (!(historyShare > 0 && historyShare < 1)) throw new SwitchyardError("invalid_config", `--history must be strictly between 0 and 1, got ${historyShare}`, { param: "--history" });
  const offlineRouter = options.offlineRouter ?? "knn";
  const specs = parseRouterSpecs(options.routers, offlineRouter);
  // Bad bandit parameters fail before any training.
  for (const spec of specs) if (spec.type === "bandit") parseRouterParams(spec.kind, banditParamsSchema, options.params);
  const windowSize = options.windowSize ?? 250;
  const progress = options.onProgress ?? (() => {});

  const order = shuffled(options.examples, createRandom(seed));
  const cut = Math.round(order.length * historyShare);
  const history = order.slice(0, cut);
  const stream = order.slice(cut);
  if (history.length < 10 || stream.length < 1) throw new SwitchyardError("invalid_dataset", `the dataset has ${options.examples.length} prompts: too few for a ${historyShare} history share and a stream`);
  const scenario = createScenario(options.scenario ?? "stationary", history, options.models, stream.length);
  const anchorCount = options.anchors ?? 0;
  if (!Number.isInteger(anchorCount) || anchorCount < 0) throw new SwitchyardError("invalid_config", `--anchors must be a whole number ≥ 0, got ${anchorCount}`, { param: "--anchors" });
  if (anchorCount > 0 && scenario.name !== "new-model") throw new SwitchyardError("invalid_config", "--anchors applies to --scenario new-model only (the anchors measure the arriving model)", { param: "--anchors" });
  if (anchorCount > scenario.fromStep) throw new SwitchyardError("invalid_config", `--anchors: at most the ${scenario.fromStep} prompts streamed before the new model arrives, got ${anchorCount}`, { param: "--anchors" });

  progress("training on the history", 0, specs.length + 1);
  const prepared = await prepareTraining(history, scenario.historyModels, options.embedder);
  const reference = trainRouter(prepared, { router: offlineRouter, seed });
  const willingnessToPay = options.willingnessToPay ?? willingnessToPayForKnob(reference.calibration, options.quality ?? 0.5);
  const knobSpendUsd = expectedSpendForKnob(reference.calibration, options.quality ?? 0.5);
  const pacedToReference = options.budgetUsd === undefined && options.paceToReference === true;
  const pacedToKnob = options.budgetUsd === undefined && !pacedToReference && options.paceToKnob === true;
  // Every model's predicted cost, the new model's included: its price is configured like any target's,
  // so a cost line fitted on its history costs stands in for the price list (its scores stay unseen).
  const costModel = CostModel.fit(history, prepared.data.promptTokens, options.models);
  const tokenScale = fitLogTokenScale(prepared.data.promptTokens);
  const inputDimension = prepared.embedder.dimension;

  const inputs = await routeInputsOf(prepared.embedder, stream.map((example) => example.prompt));
  const steps: Step[] = stream.map((example, i) => ({ example, input: inputs[i]! }));

  // The anchor set: recent traffic — prompts streamed before the model arrives — that the arriving model is
  // run on when it is added and graded (its outcomes as the scenario gives them at arrival). Not the history:
  // the warm starts' prior was trained on those prompts, so the incumbents' qualities there are overfitted.
  const anchorSteps = shuffled(steps.slice(0, scenario.fromStep), createRandom(seed ^ 0x0a5c4012)).slice(0, anchorCount);
  const anchors: AnchorObservation[] = anchorSteps.map(({ example, input }) => {
    const model = scenario.model!;
    return { input, reward: scenario.reward(example, model, scenario.fromStep), costUsd: scenario.costUsd(example, model, scenario.fromStep), predictedCostUsd: costModel.predict(model, input.promptTokens) };
  });
  const anchorCostUsd = anchors.reduce((sum, anchor) => sum + anchor.costUsd!, 0);

  const records = new Map<string, StepRecord[]>();
  const summaries: RouterRunSummary[] = [];
  for (const [r, spec] of specs.entries()) {
    progress(`streaming ${stream.length} prompts to ${spec.name}`, r + 1, specs.length + 1);
    const built = buildRouter(spec, { reference: reference.router, prepared, seed, params: options.params, inputDimension, tokenScale, costModel, models: scenario.historyModels });
    // Online routers (and a static `+paced` copy, the device's own cost) are held to the run's pacing; static routers see only a budget.
    const paced = built.type === "bandit" || (spec.type === "static" && spec.paced === true);
    const referenceCostsUsd = pacedToReference && paced && r > 0 ? records.get(specs[0]!.name)!.map((record) => record.costUsd) : undefined;
    const budgetUsd = !paced ? options.budgetUsd : pacedToKnob ? knobSpendUsd * stream.length : referenceCostsUsd ? undefined : options.budgetUsd;
    const run = runRouter(spec.name, built, { steps, scenario, costModel, willingnessToPay, budgetUsd, referenceCostsUsd, seed: seed ^ hashName(spec.name), models: options.models, fullInformation: options.fullInformation === true, anchors, onLine: options.onLine });
    records.set(spec.name, run.records);
    summaries.push({ ...summarizeRun(spec.name, run.records, { windowSize, models: options.models }), decisionMs: latencyOf(run.decisionMs), updateMs: latencyOf(run.updateMs), wallMs: run.wallMs });
  }
  const bestFixedModel = bestFixedModelOf(steps, scenario, options.models, willingnessToPay);
  const referenceName = specs[0]!.name;
  for (const summary of summaries) {
    const own = records.get(summary.router)!;
    summary.regretVsBestFixed = cumulativeRegret(own, (t) => willingnessToPay * scenario.reward(steps[t]!.example, bestFixedModel, t) - scenario.costUsd(steps[t]!.example, bestFixedModel, t), willingnessToPay, windowSize);
    const offline = records.get(referenceName)!;
    summary.regretVsOffline = cumulativeRegret(own, (t) => willingnessToPay * offline[t]!.reward - offline[t]!.costUsd, willingnessToPay, windowSize);
  }
  progress("done", specs.length + 1, specs.length + 1);
  return {
    dataset: { historyPrompts: history.length, streamedSteps: stream.length, models: options.models },
    scenario: { name: scenario.name, model: scenario.model, fromStep: scenario.fromStep, anchors: anchorCount, anchorCostUsd },
    seed,
    willingnessToPay,
    knobSpendUsd,
    budgetUsd: options.budgetUsd,
    pacedToKnob,
    pacedToReference,
    bestFixedModel,
    referenceRouter: referenceName,
    windowSize,
    routers: summaries,
  };
}

function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

type BuiltRouter = { type: "bandit"; router: BanditRouter } | { type: "static"; router: Router };

function buildRouter(
  spec: SimulatedRouterSpec,
  context: {
    reference: Router;
    prepared: Awaited<ReturnType<typeof prepareTraining>>;
    seed: number;
    params?: Record<string, unknown>;
    inputDimension: number;
    tokenScale: ReturnType<typeof fitLogTokenScale>;
    costModel: CostModel;
    models: readonly string[];
  },
): BuiltRouter {
  if (spec.type === "static") {
    const reference = `offline-${context.reference.kind}`;
    const router = spec.name === reference || spec.name === `${reference}+paced` ? context.reference : routerTrainerFor(spec.router).train(context.prepared.data, { seed: context.seed });
    return { type: "static", router };
  }
  const router = createBanditRouter({
    kind: spec.kind,
    params: context.params,
    models: context.models,
    inputDimension: context.inputDimension,
    tokenScale: context.tokenScale,
    seed: context.seed,
    priorRouter: spec.start === "warm" ? context.reference.toState() : undefined,
    resolve: routerTrainerFor,
    costModel: context.costModel,
  });
  return { type: "bandit", router };
}

interface RunContext {
  steps: readonly Step[];
  scenario: Scenario;
  costModel: CostModel;
  willingnessToPay: number;
  budgetUsd?: number;
  /** `paceToReference`: the reference's cost at every step, which a {@link ReferencePacer} holds the router to. */
  referenceCostsUsd?: readonly number[];
  seed: number;
  models: readonly string[];
  fullInformation: boolean;
  /** Outcomes of the arriving model on the anchor prompts, given to a bandit when it adds the model. */
  anchors: readonly AnchorObservation[];
  onLine?: (line: SimulationLine) => void;
}

function runRouter(name: string, built: BuiltRouter, context: RunContext): { records: StepRecord[]; decisionMs: number[]; updateMs: number[]; wallMs: number } {
  const started = performance.now();
  const { steps, scenario } = context;
  const random = createRandom(context.seed);
  const pacer = context.referenceCostsUsd
    ? new ReferencePacer(context.referenceCostsUsd)
    : context.budgetUsd !== undefined
      ? new BudgetPacer({ budgetUsd: context.budgetUsd, periodMs: steps.length, startMs: 0 })
      : undefined;
  const records: StepRecord[] = [];
  const decisionMs: number[] = [];
  const updateMs: number[] = [];
  const router = built.router;
  let knownModels = new Set(router.models);
  for (let t = 0; t < steps.length; t++) {
    const { example, input } = steps[t]!;
    // A model that becomes available is added to the config: a bandit adds it with its exploration prior.
    if (built.type === "bandit") {
      for (const model of context.models) {
        if (scenario.available(model, t) && !knownModels.has(model)) {
          built.router.addModel(model, model === scenario.model ? { anchors: context.anchors } : {});
          knownModels = new Set(built.router.models);
        }
      }
    }
    const now = t;
    const willingnessToPay = pacer ? pacer.willingnessToPay(context.willingnessToPay, now) : context.willingnessToPay;
    const maxCostUsd = pacer?.maxCostUsd(now);
    const decisionStart = performance.now();
    let candidates: CandidatePrediction[] = [];
    const quality = built.type === "static" ? router.predictQuality(input) : undefined;
    router.models.forEach((model, j) => {
      if (!scenario.available(model, t)) return;
      const predictedCostUsd = context.costModel.predict(model, input.promptTokens);
      if (maxCostUsd !== undefined && predictedCostUsd > maxCostUsd) return;
      candidates.push({ model, predictedQuality: quality ? quality[j]! : 0, predictedCostUsd });
    });
    if (candidates.length === 0) {
      decisionMs.push(performance.now() - decisionStart);
      // The reference device follows the reference step by step: a refused step is a step spent at 0.
      if (pacer instanceof ReferencePacer) pacer.record(0, now);
      records.push({ model: null, reward: 0, costUsd: 0 });
      context.onLine?.({ router: name, step: t, id: example.id, model: null, propensity: 1, reward: 0, costUsd: 0 });
      continue;
    }
    let model: string;
    let propensity = 1;
    if (built.type === "static") {
      model = rankByObjective(candidates, router.followsObjective ? willingnessToPay : QUALITY_ONLY_WILLINGNESS_TO_PAY)[0]!.model;
    } else {
      const choice = built.router.choose(input, candidates, willingnessToPay, random);
      model = choice.model;
      propensity = choice.propensity;
    }
    decisionMs.push(performance.now() - decisionStart);
    const reward = scenario.reward(example, model, t);
    const costUsd = scenario.costUsd(example, model, t);
    const predictedCostUsd = candidates.find((candidate) => candidate.model === model)!.predictedCostUsd;
    if (built.type === "bandit") {
      const updateStart = performance.now();
      built.router.update({ input, model, reward, costUsd, predictedCostUsd });
      updateMs.push(performance.now() - updateStart);
      if (context.fullInformation) {
        for (const other of built.router.models) {
          if (other === model || !scenario.available(other, t)) continue;
          const otherPredicted = context.costModel.predict(other, input.promptTokens);
          built.router.learn({ input, model: other, reward: scenario.reward(example, other, t), costUsd: scenario.costUsd(example, other, t), predictedCostUsd: otherPredicted }, { discount: false });
        }
      }
    }
    pacer?.record(costUsd, now, predictedCostUsd);
    candidates = [];
    records.push({ model, reward, costUsd });
    context.onLine?.({ router: name, step: t, id: example.id, model, propensity, reward, costUsd });
  }
  return { records, decisionMs, updateMs, wallMs: performance.now() - started };
}

function bestFixedModelOf(steps: readonly Step[], scenario: Scenario, models: readonly string[], willingnessToPay: number): string {
  let best = "";
  let bestTotal = Number.NEGATIVE_INFINITY;
  for (const model of models) {
    if (!steps.every((_, t) => scenario.available(model, t))) continue;
    let total = 0;
    steps.forEach((step, t) => (total += willingnessToPay * scenario.reward(step.example, model, t) - scenario.costUsd(step.example, model, t)));
    if (total > bestTotal) {
      bestTotal = total;
      best = model;
    }
  }
  return best;
}

/** Cumulative regret (in utility units wtp × reward − cost) at the end of each window. */
function cumulativeRegret(own: readonly StepRecord[], comparator: (t: number) => number, willingnessToPay: number, windowSize: number): number[] {
  const result: number[] = [];
  let total = 0;
  for (let t = 0; t < own.length; t++) {
    total += comparator(t) - (willingnessToPay * own[t]!.reward - own[t]!.costUsd);
    if ((t + 1) % windowSize === 0 || t === own.length - 1) result.push(total);
  }
  return result;
}

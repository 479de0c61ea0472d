import type { RoutingExample } from "../data/routing-example.js";
import type { EvaluationInput, RouterPredictions } from "../eval/evaluation-input.js";
import { createOracleRouter } from "../routers/baselines/index.js";
import { predictAll } from "./predict.js";
import { trainRouter } from "./train-router.js";
import { embedExamples, prepareTraining, type EmbedderSpec } from "./training-set.js";

/** Options of {@link buildEvaluationInput}. */
export interface BuildEvaluationOptions {
  dataset: string;
  trainSplit: string;
  testSplit: string;
  train: readonly RoutingExample[];
  test: readonly RoutingExample[];
  models: readonly string[];
  /** Router names; `oracle` is built from the test answers, every other one is trained on `train`. */
  routers: readonly string[];
  embedder?: EmbedderSpec;
  seed: number;
  /** Per-router parameters. */
  params?: Record<string, Record<string, unknown>>;
  /** Called when a stage starts, for progress display. */
  onStage?: (stage: string, index: number, total: number) => void;
}

/**
 * Trains each router on the training split only, predicts every test prompt, and returns what the
 * evaluation needs. The embedder is fitted on the training prompts only; the test prompts are only ever
 * embedded and predicted, never learned from (the oracle, by definition, reads their answers).
 */
export async function buildEvaluationInput(options: BuildEvaluationOptions): Promise<EvaluationInput> {
  const total = options.routers.length + 1;
  options.onStage?.("embedding training prompts", 0, total);
  const prepared = await prepareTraining(options.train, options.models, options.embedder);
  const embedStarted = performance.now();
  const testSet = await embedExamples(prepared.embedder, options.test, options.models);
  const embedMsPerPrompt = (performance.now() - embedStarted) / Math.max(1, options.test.length);
  const routers: RouterPredictions[] = [];
  for (const [index, name] of options.routers.entries()) {
    options.onStage?.(`training and predicting ${name}`, index + 1, total);
    if (name === "oracle") {
      const oracle = createOracleRouter(options.models, options.test);
      routers.push({ name, followsObjective: true, ...predictAll(oracle, prepared.costModel, testSet) });
      continue;
    }
    const trained = trainRouter(prepared, { router: name, seed: options.seed, params: options.params?.[name] });
    const started = performance.now();
    const predictions = predictAll(trained.router, prepared.costModel, testSet);
    // Per-prompt decision time: the router's predictions plus the prompt's share of embedding.
    const decideMsPerPrompt = (performance.now() - started) / Math.max(1, options.test.length) + embedMsPerPrompt;
    routers.push({
      name,
      followsObjective: trained.router.followsObjective,
      ...predictions,
      calibration: trained.router.followsObjective ? trained.calibration : undefined,
      trainMs: trained.trainMs,
      decideMsPerPrompt,
    });
  }
  options.onStage?.("evaluating", total, total);
  return {
    dataset: options.dataset,
    trainSplit: options.trainSplit,
    testSplit: options.testSplit,
    models: [...options.models],
    examples: [...options.test],
    routers,
  };
}

import type { KnobCalibration } from "../core/knob-calibration.js";
import { createRandom, shuffled } from "../core/random.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import type { Router } from "../routers/router.js";
import type { BanditFeedback } from "../routers/router-trainer.js";
import { calibrateKnob } from "./calibrate-knob.js";
import { predictAll } from "./predict.js";
import { subsetTrainingSet, type PreparedTraining } from "./training-set.js";

/** Share of the training split held out to calibrate the knob. */
const CALIBRATION_FRACTION = 0.2;
/**
 * The held-out part predicted for the calibration is capped (a seeded sample; from 10,000 training
 * prompts up): predicting 20,000 held-out prompts with a kNN over 80,000 took ~2 minutes at 100,000.
 */
const MAX_CALIBRATION_ROWS = 2000;

/** Options of {@link trainRouter}. */
export interface TrainRouterOptions {
  /** Strategy name (see `routerTrainers`). */
  router: string;
  seed: number;
  params?: Record<string, unknown>;
  /**
   * Bandit feedback for `prepared.data` (a decision log: one served model per prompt): the strategy's
   * `trainFromFeedback` is used for the router and its calibration copy; see `trainRouterArtifactFromLog`.
   */
  feedback?: BanditFeedback;
}

function subsetFeedback(feedback: BanditFeedback, indices: readonly number[]): BanditFeedback {
  return {
    served: Int32Array.from(indices, (i) => feedback.served[i]!),
    reward: Float64Array.from(indices, (i) => feedback.reward[i]!),
    inversePropensity: Float64Array.from(indices, (i) => feedback.inversePropensity[i]!),
  };
}

/** A trained router with its knob calibration and how long training took. */
export interface TrainedRouter {
  router: Router;
  calibration: KnobCalibration;
  trainMs: number;
}

/**
 * Trains one strategy on a prepared training split. The knob calibration is measured honestly: a copy
 * of the router is trained on 80% of the split and its spend curve (recorded cost of what it chose) measured on the other 20%
 * (a router's predictions on its own training prompts are over-confident); the router that is returned
 * is then trained on the whole split. When the trainer offers `trainLike` (auto and ensemble with more
 * than their `cvRows` training prompts), the copy reuses the strategy, meta-model, members and tuned
 * hyper-parameters the full training chose and is only refitted on the 80 %: those choices saw the
 * held-out 20 % too, which can make the spend calibration slightly optimistic, but never touches the
 * test split or the returned router.
 */
export function trainRouter(prepared: PreparedTraining, options: TrainRouterOptions): TrainedRouter {
  const started = performance.now();
  const trainer = routerTrainerFor(options.router);
  const trainOptions = { seed: options.seed, params: options.params };
  const { feedback } = options;
  if (feedback && !trainer.trainFromFeedback) throw new Error(`${trainer.kind} cannot train from bandit feedback`);
  const router = feedback ? trainer.trainFromFeedback!(prepared.data, feedback, trainOptions) : trainer.train(prepared.data, trainOptions);
  const trainMs = performance.now() - started;
  let calibration: KnobCalibration = { willingnessToPay: [0], spendUsd: [0] };
  const n = prepared.data.examples.length;
  if (router.followsObjective && n >= 10) {
    const order = shuffled(Array.from({ length: n }, (_, i) => i), createRandom(options.seed ^ 0x5eed));
    const cut = Math.max(1, Math.round(n * CALIBRATION_FRACTION));
    const fitPart = subsetTrainingSet(prepared.data, order.slice(cut));
    const heldOut = subsetTrainingSet(prepared.data, order.slice(0, Math.min(cut, MAX_CALIBRATION_ROWS)));
    // A trainer that can reuse the choices the full training made (auto / ensemble above their CV
    // sample size) refits only; otherwise the copy is trained from scratch (see RouterTrainer.trainLike).
    const calibrationRouter = feedback
      ? trainer.trainFromFeedback!(fitPart, subsetFeedback(feedback, order.slice(cut)), trainOptions)
      : (trainer.trainLike?.(router, fitPart, trainOptions) ?? trainer.train(fitPart, trainOptions));
    // NaN marks a model without a recorded outcome on that prompt: its predicted cost counts instead.
    const recorded = heldOut.examples.map((example) => Float64Array.from(heldOut.models, (model) => example.outcomes[model]?.costUsd ?? Number.NaN));
    calibration = calibrateKnob(predictAll(calibrationRouter, prepared.costModel, heldOut), recorded);
  }
  return { router, calibration, trainMs };
}

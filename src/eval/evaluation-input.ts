import type { KnobCalibration } from "../core/knob-calibration.js";
import type { RoutingExample } from "../data/routing-example.js";

/** One trained router's predictions on the test examples, as the evaluation sees them. */
export interface RouterPredictions {
  /** Router name, e.g. `knn`, `best-single`, `oracle`, `auto`; unique within one evaluation. */
  name: string;
  /**
   * True: the router trades quality for cost (RouterBench's objective `wtp × q − c`), so it is swept over
   * willingness-to-pay. False: its argmax-quality model is its pick whatever the knob (one point, `fixed`).
   */
  followsObjective: boolean;
  /** `quality[exampleIndex][modelIndex]`: predicted quality, models in {@link EvaluationInput.models} order. */
  quality: Float64Array[];
  /** `costUsd[exampleIndex][modelIndex]`: predicted USD cost. */
  costUsd: Float64Array[];
  /** When present (and the router follows the objective), knob points 0, 0.05, …, 1 are added. */
  calibration?: KnobCalibration;
  /** Training wall time, carried into the report. */
  trainMs?: number;
  /** Mean decision wall time per prompt, carried into the report. */
  decideMsPerPrompt?: number;
}

/** Everything {@link evaluate} needs: the test examples with their true outcomes and every router's predictions. */
export interface EvaluationInput {
  dataset: string;
  trainSplit: string;
  testSplit: string;
  /** Model order used in every prediction matrix. */
  models: string[];
  /** The TEST examples; `outcomes[model]` holds the true score and costUsd of every model. */
  examples: RoutingExample[];
  routers: RouterPredictions[];
}

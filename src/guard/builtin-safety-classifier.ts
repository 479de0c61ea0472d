import { SwitchyardError } from "../core/errors.js";
import { monotonicClock, type Clock, type SafetyClassifier, type SafetyVerdict } from "./safety-classifier.js";
import type { TextClassifier } from "./text-classifier.js";

/** The label a built-in safety classifier predicts for unsafe requests. */
export const UNSAFE_LABEL = "unsafe";

/** Options of {@link createBuiltinSafetyClassifier}. */
export interface BuiltinSafetyClassifierOptions {
  /** A trained classifier with an `unsafe` label (see `trainBuiltinSafetyClassifier`). */
  classifier: TextClassifier;
  /** Unsafe-probability threshold; default: the one stored in the artifact's metadata (chosen on held-out data). */
  threshold?: number;
  now?: Clock;
}

/**
 * The built-in fast safety classifier: hashed n-gram TF-IDF (+ word vectors) → WideMLP → P(unsafe),
 * compared with a threshold chosen on held-out training data. Runs in-process in well under a
 * millisecond per request.
 *
 * @example
 * const safety = createBuiltinSafetyClassifier({ classifier: await TextClassifier.fromArtifact(json) });
 * const verdict = await safety.classify("How can I kill a Python process?"); // { unsafe: false, … }
 */
export function createBuiltinSafetyClassifier(options: BuiltinSafetyClassifierOptions): SafetyClassifier {
  const { classifier } = options;
  const unsafeIndex = classifier.labels.indexOf(UNSAFE_LABEL);
  if (unsafeIndex < 0) throw new SwitchyardError("invalid_artifact", `a safety classifier needs the label "${UNSAFE_LABEL}"; this one has ${classifier.labels.join(", ")}`);
  const stored = classifier.metadata.threshold;
  const threshold = options.threshold ?? (typeof stored === "number" ? stored : 0.5);
  const now = options.now ?? monotonicClock;
  return {
    kind: "builtin",
    async classify(text: string): Promise<SafetyVerdict> {
      const start = now();
      const [probabilities] = await classifier.probabilities([text]);
      const score = probabilities![unsafeIndex]!;
      return { unsafe: score >= threshold, score, decisionMs: now() - start, source: "builtin" };
    },
  };
}

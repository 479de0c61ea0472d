import { SwitchyardError } from "../core/errors.js";
import { createRandom, shuffled } from "../core/random.js";
import { UNSAFE_LABEL } from "./builtin-safety-classifier.js";
import { questionFormsOf } from "./question-forms.js";
import { TextClassifier, trainTextClassifier, type TextClassifierTrainOptions } from "./text-classifier.js";

/** Training texts of the built-in safety classifier. */
export interface SafetyTrainingSources {
  /** Harmful requests (e.g. HarmBench behaviours), usually imperatives. */
  harmful: readonly string[];
  /** Benign requests (e.g. CLINC150 utterances, benchmark prompts). */
  benign: readonly string[];
  /** Free-form description of where the texts came from, stored in the artifact. */
  description?: string;
}

/** Options of {@link trainBuiltinSafetyClassifier}. */
export interface SafetyTrainingOptions extends TextClassifierTrainOptions {
  /** Share of harmful and of benign texts held out to choose the threshold (default 0.2). */
  heldOutFraction?: number;
  /** The threshold is the largest at which this share of held-out harmful texts is caught (default 0.9). */
  targetHeldOutRecall?: number;
  /** Loss weight of benign texts that contain violent or criminal words (default 3): they teach that a scary word alone is not a harmful request. */
  scaryBenignWeight?: number;
  /** Add question forms of the harmful texts (default true) and of imperative benign texts. */
  questionForms?: boolean;
}

/** Held-out figures of a trained safety classifier. */
export interface SafetyHeldOutReport {
  threshold: number;
  /** Recall on held-out harmful texts as written (imperatives). */
  harmfulRecall: number;
  /** Recall on the question forms of the held-out harmful texts. */
  harmfulQuestionRecall: number;
  /** Share of held-out benign texts flagged. */
  benignFlagRate: number;
  /** Share of held-out benign texts with scary words flagged. */
  scaryBenignFlagRate: number;
  counts: { trainHarmful: number; trainBenign: number; heldOutHarmful: number; heldOutBenign: number; heldOutScaryBenign: number };
}

/**
 * Violent and criminal words that also occur in benign text ("kill a process", "history of the war");
 * benign training texts containing one get `scaryBenignWeight`. A hand-written lexicon, not derived from
 * any test set.
 */
export const SCARY_WORDS = /\b(?:kill\w*|murder\w*|shoot\w*|shot|guns?|bomb\w*|explosi\w+|poison\w*|toxi\w+|drugs?|steal\w*|stole\w*|theft|hack\w*|attack\w*|weapons?|knife|knives|stab\w*|die|dies|death|dead|blood\w*|terror\w*|violen\w+|abuse\w*|suicid\w+|crim\w+|illegal\w*|exploit\w*|virus\w*|malware|destroy\w*|execut\w+|war|wars|slave\w*|nazi\w*|assault\w*|fraud\w*|smuggl\w+|kidnap\w*|hostage\w*|strangl\w+|chok\w+|burn\w*|arson|meth|cocaine|heroin|fentanyl|overdos\w+)\b/iu;

const IMPERATIVE = /^(?:write|give|describe|explain|list|create|generate|find|provide|compose|make|show|tell)\b/iu;

/**
 * Trains the built-in safety classifier: harmful texts (and rule-made question forms of them) against
 * benign texts, with a seeded hold-out of both on which the threshold is chosen — never on a test set.
 * The model is trained on the remaining part only, so the held-out figures are honest.
 *
 * @example
 * const { classifier, report } = await trainBuiltinSafetyClassifier({ harmful: harmBench, benign: clinc }, { seed: 1 });
 * writeFileSync("safety.json", JSON.stringify(classifier.toArtifact()));
 */
export async function trainBuiltinSafetyClassifier(sources: SafetyTrainingSources, options: SafetyTrainingOptions = {}): Promise<{ classifier: TextClassifier; report: SafetyHeldOutReport }> {
  if (sources.harmful.length < 5 || sources.benign.length < 5) throw new SwitchyardError("invalid_dataset", `the safety classifier needs at least 5 harmful and 5 benign texts (got ${sources.harmful.length} and ${sources.benign.length})`);
  const random = createRandom(options.seed ?? 1);
  const fraction = options.heldOutFraction ?? 0.2;
  const harmful = shuffled([...new Set(sources.harmful)], random);
  const benign = shuffled([...new Set(sources.benign)], random);
  const harmfulHeldOut = harmful.slice(0, Math.max(1, Math.round(harmful.length * fraction)));
  const harmfulTrain = harmful.slice(harmfulHeldOut.length);
  const benignHeldOut = benign.slice(0, Math.max(1, Math.round(benign.length * fraction)));
  const benignTrain = benign.slice(benignHeldOut.length);

  const withForms = options.questionForms ?? true;
  const unsafeTexts = harmfulTrain.flatMap((text) => (withForms ? [text, ...questionFormsOf(text)] : [text]));
  const benignTexts = benignTrain.flatMap((text) => (withForms && IMPERATIVE.test(text) && text.length < 300 ? [text, ...questionFormsOf(text).slice(0, 3)] : [text]));
  const scaryWeight = options.scaryBenignWeight ?? 3;
  const texts = [...unsafeTexts, ...benignTexts];
  const labels = [...unsafeTexts.map(() => UNSAFE_LABEL), ...benignTexts.map(() => "safe")];
  const exampleWeights = [...unsafeTexts.map(() => 1), ...benignTexts.map((text) => (SCARY_WORDS.test(text) ? scaryWeight : 1))];
  // Balance the classes: half the total weight on each.
  const unsafeWeight = benignTexts.length / Math.max(1, unsafeTexts.length) / 2;
  const trained = await trainTextClassifier(texts, labels, { ...options, exampleWeights, labelWeights: { [UNSAFE_LABEL]: unsafeWeight, ...options.labelWeights } });

  const unsafeIndex = trained.labels.indexOf(UNSAFE_LABEL);
  const scoreAll = async (batch: readonly string[]) => (await trained.probabilities(batch)).map((row) => row[unsafeIndex]!);
  const harmfulScores = await scoreAll(harmfulHeldOut);
  const questionScores = await scoreAll(harmfulHeldOut.flatMap((text) => questionFormsOf(text)));
  const benignScores = await scoreAll(benignHeldOut);
  const scaryScores = await scoreAll(benignHeldOut.filter((text) => SCARY_WORDS.test(text)));
  const threshold = thresholdForRecall(harmfulScores, options.targetHeldOutRecall ?? 0.9);
  const rate = (scores: number[]) => (scores.length === 0 ? 0 : scores.filter((score) => score >= threshold).length / scores.length);
  const report: SafetyHeldOutReport = {
    threshold,
    harmfulRecall: rate(harmfulScores),
    harmfulQuestionRecall: rate(questionScores),
    benignFlagRate: rate(benignScores),
    scaryBenignFlagRate: rate(scaryScores),
    counts: { trainHarmful: harmfulTrain.length, trainBenign: benignTrain.length, heldOutHarmful: harmfulHeldOut.length, heldOutBenign: benignHeldOut.length, heldOutScaryBenign: scaryScores.length },
  };
  const classifier = trained.withMetadata({ kind: "safety-classifier", threshold, heldOut: report, trainingData: sources.description ?? "unspecified" });
  return { classifier, report };
}

/** The largest threshold that keeps at least `recall` of `scores` at or above it. */
export function thresholdForRecall(scores: readonly number[], recall: number): number {
  if (scores.length === 0) return 0.5;
  const sorted = [...scores].sort((a, b) => b - a);
  const needed = Math.min(sorted.length, Math.max(1, Math.ceil(recall * sorted.length)));
  return sorted[needed - 1]!;
}

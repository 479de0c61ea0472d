import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";
import { createRandom } from "../core/random.js";
import { TextFeatures, type EmbedderLoader, type TextFeaturesOptions } from "./text-features.js";
import { softmax, trainWideMlp, WideMlp } from "./wide-mlp.js";

/** Training options of {@link trainTextClassifier}; every field has a default. */
export interface TextClassifierTrainOptions extends TextFeaturesOptions {
  hiddenUnits?: number;
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  dropout?: number;
  /** Loss weight per label (labels not listed weigh 1). */
  labelWeights?: Record<string, number>;
  /** Loss weight per example (parallel to `texts`; default 1). */
  exampleWeights?: readonly number[];
  seed?: number;
}

/** Format tag and version of the JSON artifact. */
export const TEXT_CLASSIFIER_FORMAT = "switchyard.text-classifier";
export const TEXT_CLASSIFIER_VERSION = 1;

/**
 * A trained text classifier: hashed n-gram TF-IDF features → {@link WideMlp} → a probability per label.
 * Both the out-of-domain detector and the built-in safety classifier are one of these. Serialises to a
 * self-contained JSON artifact ({@link TextClassifier.toArtifact}).
 */
export class TextClassifier {
  readonly labels: readonly string[];
  readonly features: TextFeatures;
  readonly model: WideMlp;
  /** Free-form facts stored with the artifact (training data, thresholds chosen on held-out data). */
  readonly metadata: Record<string, unknown>;

  constructor(parts: { labels: readonly string[]; features: TextFeatures; model: WideMlp; metadata?: Record<string, unknown> }) {
    this.labels = parts.labels;
    this.features = parts.features;
    this.model = parts.model;
    this.metadata = parts.metadata ?? {};
    if (this.model.classes !== this.labels.length) throw new SwitchyardError("invalid_artifact", `text classifier has ${this.labels.length} labels but its model predicts ${this.model.classes} classes`);
    if (this.model.inputDimension !== this.features.size) throw new SwitchyardError("invalid_artifact", `text classifier has ${this.features.size} features but its model takes ${this.model.inputDimension}`);
  }

  /** Raw scores (logits) of each label for each text; softmax them for probabilities. */
  async logits(texts: readonly string[]): Promise<Float64Array[]> {
    const inputs = await this.features.featurize(texts);
    return inputs.map((input) => this.model.logits(input));
  }

  /** Probability of each of {@link TextClassifier.labels} for each text. */
  async probabilities(texts: readonly string[]): Promise<Float64Array[]> {
    return (await this.logits(texts)).map((logits) => softmax(logits));
  }

  /** Same classifier with other metadata (e.g. thresholds chosen after training). */
  withMetadata(metadata: Record<string, unknown>): TextClassifier {
    return new TextClassifier({ labels: this.labels, features: this.features, model: this.model, metadata: { ...this.metadata, ...metadata } });
  }

  /** Self-contained JSON artifact. */
  toArtifact(): TextClassifierArtifact {
    return { format: TEXT_CLASSIFIER_FORMAT, version: TEXT_CLASSIFIER_VERSION, labels: [...this.labels], metadata: this.metadata, features: this.features.toState(), model: this.model.toState() };
  }

  /**
   * Loads an artifact written by {@link TextClassifier.toArtifact}; throws `invalid_artifact` otherwise.
   * A dense embedder (word vectors) is rebuilt with `loadEmbedder` (default: the embedder registry).
   */
  static async fromArtifact(artifact: unknown, loadEmbedder?: EmbedderLoader): Promise<TextClassifier> {
    const parsed = artifactSchema.safeParse(artifact);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SwitchyardError("invalid_artifact", `text classifier artifact is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "unknown"}`);
    }
    return new TextClassifier({ labels: parsed.data.labels, metadata: parsed.data.metadata, features: await TextFeatures.fromState(parsed.data.features, loadEmbedder), model: WideMlp.fromState(parsed.data.model) });
  }
}

const artifactSchema = z.object({
  format: z.literal(TEXT_CLASSIFIER_FORMAT),
  version: z.literal(TEXT_CLASSIFIER_VERSION),
  labels: z.array(z.string()).min(2),
  metadata: z.record(z.string(), z.unknown()),
  features: z.unknown(),
  model: z.unknown(),
});

/** The JSON artifact of a {@link TextClassifier}. */
export interface TextClassifierArtifact {
  format: typeof TEXT_CLASSIFIER_FORMAT;
  version: typeof TEXT_CLASSIFIER_VERSION;
  labels: string[];
  metadata: Record<string, unknown>;
  features: unknown;
  model: unknown;
}

/**
 * Trains a {@link TextClassifier} on labelled texts, deterministically for a given `seed`.
 *
 * @example
 * const classifier = await trainTextClassifier(["reset my pin", "book a flight"], ["banking", "travel"], { epochs: 20 });
 * const [probabilities] = await classifier.probabilities(["transfer money"]); // [p(banking), p(travel)]
 */
export async function trainTextClassifier(texts: readonly string[], labels: readonly string[], options: TextClassifierTrainOptions = {}): Promise<TextClassifier> {
  if (texts.length !== labels.length) throw new SwitchyardError("invalid_dataset", `text classifier: ${texts.length} texts but ${labels.length} labels`);
  const labelSet = [...new Set(labels)].sort();
  if (labelSet.length < 2) throw new SwitchyardError("invalid_dataset", `text classifier needs at least two labels, got ${labelSet.length}`);
  const indexOf = new Map(labelSet.map((label, index) => [label, index]));
  const features = await TextFeatures.fit(texts, options);
  const inputs = await features.featurize(texts);
  const model = trainWideMlp(
    inputs,
    labels.map((label) => indexOf.get(label)!),
    {
      inputDimension: features.size,
      classes: labelSet.length,
      hiddenUnits: options.hiddenUnits ?? 256,
      epochs: options.epochs ?? 8,
      learningRate: options.learningRate ?? 0.002,
      batchSize: options.batchSize ?? 32,
      dropout: options.dropout ?? 0.5,
      classWeights: labelSet.map((label) => options.labelWeights?.[label] ?? 1),
      exampleWeights: options.exampleWeights,
      random: createRandom(options.seed ?? 1),
    },
  );
  return new TextClassifier({ labels: labelSet, features, model });
}

import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";
import { monotonicClock, type Clock } from "./safety-classifier.js";
import { TextClassifier, trainTextClassifier, type TextClassifierArtifact, type TextClassifierTrainOptions } from "./text-classifier.js";
import type { EmbedderLoader } from "./text-features.js";

/** Label of the negative (out-of-domain) training examples. */
export const OUT_OF_DOMAIN_LABEL = "__out_of_domain__";

/** One in-domain training utterance. */
export interface DomainExample {
  text: string;
  /** The route (domain) it belongs to. */
  route: string;
  /** A finer class inside the route (e.g. CLINC150's intent); classes are tighter than whole domains, which sharpens the confidence. */
  label?: string;
}

/** The detector's view of one query. */
export interface DomainVerdict {
  /** True when the best route's confidence reaches its threshold. */
  inDomain: boolean;
  /** The most likely route. */
  route: string;
  /** That route's probability (summed over its classes). */
  score: number;
  threshold: number;
  /** Probability of every route. */
  scores: Record<string, number>;
  decisionMs: number;
}

/**
 * Tells in-domain queries from ones far outside the deployment's domain, and which route an in-domain
 * one belongs to. Built from the routes' training utterances (plus optional out-of-domain negatives) as a
 * WideMLP over hashed n-grams (+ word vectors); confidence is the maximum softmax probability summed per
 * route (Hendrycks & Gimpel, 2017, the baseline the Guarded Query Routing paper, Šléher et al. 2025,
 * finds strong for WideMLP). A query is out of domain when its best route's confidence is below that
 * route's threshold.
 */
export class OutOfDomainDetector {
  readonly classifier: TextClassifier;
  readonly routes: readonly string[];
  readonly thresholds: Readonly<Record<string, number>>;
  readonly defaultThreshold: number;
  private readonly routeIndexOfLabel: Int32Array;
  private readonly now: Clock;

  constructor(classifier: TextClassifier, options: { now?: Clock } = {}) {
    const metadata = metadataSchema.safeParse(classifier.metadata);
    if (!metadata.success) throw new SwitchyardError("invalid_artifact", `out-of-domain detector metadata is invalid at ${metadata.error.issues[0]?.path.join(".") || "(root)"}: ${metadata.error.issues[0]?.message ?? "unknown"}`);
    this.classifier = classifier;
    const { routeOfLabel, thresholds, defaultThreshold } = metadata.data;
    this.routes = [...new Set(Object.values(routeOfLabel))].sort();
    this.thresholds = thresholds;
    this.defaultThreshold = defaultThreshold;
    this.routeIndexOfLabel = Int32Array.from(classifier.labels, (label) => {
      if (label === OUT_OF_DOMAIN_LABEL) return -1;
      const route = routeOfLabel[label];
      if (route === undefined) throw new SwitchyardError("invalid_artifact", `out-of-domain detector label ${JSON.stringify(label)} has no route`);
      return this.routes.indexOf(route);
    });
    this.now = options.now ?? monotonicClock;
  }

  /** Threshold of one route. */
  thresholdOf(route: string): number {
    return this.thresholds[route] ?? this.defaultThreshold;
  }

  /** Same detector with other thresholds (per route and/or default). */
  withThresholds(thresholds: { perRoute?: Record<string, number>; default?: number }): OutOfDomainDetector {
    return new OutOfDomainDetector(this.classifier.withMetadata({ thresholds: { ...this.thresholds, ...thresholds.perRoute }, defaultThreshold: thresholds.default ?? this.defaultThreshold }), { now: this.now });
  }

  async classify(text: string): Promise<DomainVerdict> {
    const [verdict] = await this.classifyMany([text]);
    return verdict!;
  }

  /** Verdicts for many texts (one featurizing batch; `decisionMs` is the batch time per text). */
  async classifyMany(texts: readonly string[]): Promise<DomainVerdict[]> {
    const start = this.now();
    const probabilities = await this.classifier.probabilities(texts);
    const decisionMs = (this.now() - start) / Math.max(1, texts.length);
    return probabilities.map((row) => {
      const routeScores = new Float64Array(this.routes.length);
      row.forEach((probability, label) => {
        const route = this.routeIndexOfLabel[label]!;
        if (route >= 0) routeScores[route]! += probability;
      });
      let best = 0;
      for (let r = 1; r < routeScores.length; r++) if (routeScores[r]! > routeScores[best]!) best = r;
      const route = this.routes[best]!;
      const score = routeScores[best]!;
      const threshold = this.thresholdOf(route);
      const scores: Record<string, number> = {};
      this.routes.forEach((name, r) => {
        scores[name] = routeScores[r]!;
      });
      return { inDomain: score >= threshold, route, score, threshold, scores, decisionMs };
    });
  }

  /** The JSON artifact (a text-classifier artifact whose metadata maps classes to routes and holds the thresholds). */
  toArtifact(): TextClassifierArtifact {
    return this.classifier.toArtifact();
  }

  static async fromArtifact(artifact: unknown, options: { loadEmbedder?: EmbedderLoader; now?: Clock } = {}): Promise<OutOfDomainDetector> {
    return new OutOfDomainDetector(await TextClassifier.fromArtifact(artifact, options.loadEmbedder), { now: options.now });
  }
}

const metadataSchema = z.object({
  kind: z.literal("out-of-domain-detector"),
  routeOfLabel: z.record(z.string(), z.string()),
  thresholds: z.record(z.string(), z.number()),
  defaultThreshold: z.number(),
});

/** Options of {@link trainOutOfDomainDetector}. */
export interface TrainOutOfDomainDetectorOptions extends TextClassifierTrainOptions {
  /** Threshold of every route until fitted (default 0: nothing is rejected). */
  defaultThreshold?: number;
  /** Loss weight of the negatives (default 1). */
  negativeWeight?: number;
  now?: Clock;
}

/**
 * Trains an {@link OutOfDomainDetector} on in-domain examples and optional out-of-domain negatives
 * (e.g. CLINC150's `oos_train`, which is part of its training data). Fit the threshold afterwards on
 * held-out data with `thresholdForInDomainAccuracy` and `withThresholds`.
 *
 * @example
 * const detector = await trainOutOfDomainDetector([{ text: "what's my balance", route: "banking" }, …]);
 * (await detector.classify("write me a poem")).inDomain; // false once a threshold is set
 */
export async function trainOutOfDomainDetector(examples: readonly DomainExample[], negatives: readonly string[] = [], options: TrainOutOfDomainDetectorOptions = {}): Promise<OutOfDomainDetector> {
  const routeOfLabel: Record<string, string> = {};
  for (const example of examples) {
    const label = example.label ?? example.route;
    if (label === OUT_OF_DOMAIN_LABEL) throw new SwitchyardError("invalid_dataset", `the label ${OUT_OF_DOMAIN_LABEL} is reserved for negatives`);
    const known = routeOfLabel[label];
    if (known !== undefined && known !== example.route) throw new SwitchyardError("invalid_dataset", `class ${JSON.stringify(label)} appears under two routes (${known}, ${example.route})`);
    routeOfLabel[label] = example.route;
  }
  const texts = [...examples.map((example) => example.text), ...negatives];
  const labels = [...examples.map((example) => example.label ?? example.route), ...negatives.map(() => OUT_OF_DOMAIN_LABEL)];
  const labelWeights = { ...options.labelWeights, [OUT_OF_DOMAIN_LABEL]: options.negativeWeight ?? 1 };
  const classifier = await trainTextClassifier(texts, labels, { ...options, labelWeights });
  return new OutOfDomainDetector(classifier.withMetadata({ kind: "out-of-domain-detector", routeOfLabel, thresholds: {}, defaultThreshold: options.defaultThreshold ?? 0 }), { now: options.now });
}

/** One safety decision. */
export interface SafetyVerdict {
  unsafe: boolean;
  /** Unsafe score in [0, 1] (a probability for the built-in classifier; 0 or 1 for a guard model's word). */
  score: number;
  /** Wall time spent deciding, in milliseconds. */
  decisionMs: number;
  /** Which classifier decided: `builtin`, `guard-model`, or the fallback's kind when a guard model was late or unreadable. */
  source: string;
  /** Hazard categories a guard model named (e.g. LlamaGuard's `S1`), when it named any. */
  categories?: string[];
  /** Why a guard model's answer was not used (`timeout`, `unparseable`, `error`), when it was not. */
  fallbackReason?: string;
}

/**
 * Classifies a request as safe or unsafe. Two implementations: the built-in WideMLP trained from data
 * (`createBuiltinSafetyClassifier`) and a guard model reached through a configured target
 * (`createGuardModelClassifier`, LlamaGuard-style prompt, with a latency budget).
 */
export interface SafetyClassifier {
  readonly kind: string;
  classify(text: string): Promise<SafetyVerdict>;
}

/** Milliseconds from a monotonic clock (`performance.now` by default; injected in tests). */
export type Clock = () => number;

/** The default monotonic clock. */
export const monotonicClock: Clock = () => performance.now();

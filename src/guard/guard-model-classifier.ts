import { systemTimer, withinLatencyBudget, type Timer } from "./latency-budget.js";
import { monotonicClock, type Clock, type SafetyClassifier, type SafetyVerdict } from "./safety-classifier.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/**
 * Sends one prompt to the configured guard target and returns its reply text (the gateway provides it).
 * `signal` is aborted when the latency budget runs out, so a late call stops.
 */
export type CompleteFunction = (prompt: string, signal?: CancelSignal) => Promise<string>;

/** What to do when the guard model is late, fails or answers something unreadable. */
export type GuardModelFallback = SafetyClassifier | "allow" | "refuse";

/** Options of {@link createGuardModelClassifier}. */
export interface GuardModelClassifierOptions {
  complete: CompleteFunction;
  /** After this many milliseconds the fallback decides instead. */
  latencyBudgetMs: number;
  /** A fast classifier to ask instead, or a fixed answer (default `allow`: fail open). */
  fallback?: GuardModelFallback;
  /** Builds the guard prompt from the user's text (default {@link llamaGuardPrompt}). */
  prompt?: (text: string) => string;
  timer?: Timer;
  now?: Clock;
}

/** LlamaGuard 3's hazard taxonomy (MLCommons AI Safety v0.5), as its prompt lists it. */
export const HAZARD_CATEGORIES = [
  "S1: Violent Crimes.",
  "S2: Non-Violent Crimes.",
  "S3: Sex Crimes.",
  "S4: Child Exploitation.",
  "S5: Defamation.",
  "S6: Specialized Advice.",
  "S7: Privacy.",
  "S8: Intellectual Property.",
  "S9: Indiscriminate Weapons.",
  "S10: Hate.",
  "S11: Self-Harm.",
  "S12: Sexual Content.",
  "S13: Elections.",
] as const;

/**
 * The LlamaGuard prompt (Inan et al., 2023, "Llama Guard: LLM-based Input-Output Safeguard for
 * Human-AI Conversations"): the hazard categories, the conversation, and the instruction to answer
 * `safe` or `unsafe` on the first line and the violated categories on the second. Works with LlamaGuard
 * models and, as a plain instruction, with general chat models.
 */
export function llamaGuardPrompt(text: string): string {
  return [
    "Task: Check if there is unsafe content in 'User' messages in conversations according to our safety policy with the below categories.",
    "",
    "<BEGIN UNSAFE CONTENT CATEGORIES>",
    ...HAZARD_CATEGORIES,
    "<END UNSAFE CONTENT CATEGORIES>",
    "",
    "<BEGIN CONVERSATION>",
    "",
    `User: ${text}`,
    "",
    "<END CONVERSATION>",
    "",
    "Provide your safety assessment for ONLY THE LAST User message in the above conversation:",
    " - First line must read 'safe' or 'unsafe'.",
    " - If unsafe, a second line must include a comma-separated list of violated categories.",
  ].join("\n");
}

/** A guard model's reply read tolerantly: `safe`/`unsafe` as the first word, categories like `S1` after it. */
export function parseGuardReply(reply: string): { unsafe: boolean; categories: string[] } | undefined {
  const match = /^\W*(unsafe|safe)\b/iu.exec(reply.trim());
  if (!match) return undefined;
  const unsafe = match[1]!.toLowerCase() === "unsafe";
  const categories = unsafe ? [...new Set(reply.slice(match[0].length).match(/\bS\d{1,2}\b/gu) ?? [])] : [];
  return { unsafe, categories };
}

/**
 * A safety classifier that asks a guard model (LlamaGuard or any chat model behind a configured target)
 * through the injected `complete` function, racing it against `latencyBudgetMs`. When the reply is late,
 * fails or does not start with safe/unsafe, the fallback decides (and the verdict says why).
 *
 * @example
 * const safety = createGuardModelClassifier({ complete: (p) => callTarget("llama-guard-3", p), latencyBudgetMs: 300, fallback: builtin });
 */
export function createGuardModelClassifier(options: GuardModelClassifierOptions): SafetyClassifier {
  const now = options.now ?? monotonicClock;
  const timer = options.timer ?? systemTimer;
  const buildPrompt = options.prompt ?? llamaGuardPrompt;
  const fallback = options.fallback ?? "allow";
  async function fallBack(text: string, start: number, reason: string): Promise<SafetyVerdict> {
    if (typeof fallback === "string") {
      const unsafe = fallback === "refuse";
      return { unsafe, score: unsafe ? 1 : 0, decisionMs: now() - start, source: `fixed-${fallback}`, fallbackReason: reason };
    }
    const verdict = await fallback.classify(text);
    return { ...verdict, decisionMs: now() - start, fallbackReason: reason };
  }
  return {
    kind: "guard-model",
    async classify(text: string): Promise<SafetyVerdict> {
      const start = now();
      const controller = new AbortController();
      let work: Promise<string>;
      try {
        work = options.complete(buildPrompt(text), controller.signal);
      } catch (error) {
        work = Promise.reject(error);
      }
      const outcome = await withinLatencyBudget(work, options.latencyBudgetMs, timer);
      // A late guard model is not waited for, and its call is aborted (the upstream connection is freed).
      if (outcome.status === "timeout") controller.abort();
      if (outcome.status !== "done") return fallBack(text, start, outcome.status);
      const parsed = parseGuardReply(outcome.value);
      if (!parsed) return fallBack(text, start, "unparseable");
      return { unsafe: parsed.unsafe, score: parsed.unsafe ? 1 : 0, decisionMs: now() - start, source: "guard-model", ...(parsed.categories.length > 0 ? { categories: parsed.categories } : {}) };
    },
  };
}

import type { ShadowRecord } from "../core/decision.js";

/**
 * What a shadow (candidate) artifact would have served for one request, decided after the served
 * decision, off the response path. Filled in when the shadow engine has decided; the trace writer waits
 * a bounded time for it (`whenSettled`), and a trace written before that keeps `status: "pending"` (the
 * shadow decision then is lost for that request, never the answer).
 */
export class ShadowDecision implements ShadowRecord {
  status: "pending" | "decided" | "failed" | "skipped" = "pending";
  model: string | undefined = undefined;
  predictedQuality: number | undefined = undefined;
  predictedCostUsd: number | undefined = undefined;
  router: string;
  /** Content version of the shadow artifact (`artifactVersionOf`). */
  artifact: string;
  decisionMs: number | undefined = undefined;
  /** Why the shadow engine could not decide (e.g. none of its models is among the candidates). */
  error: string | undefined = undefined;

  constructor(router: string, artifact: string) {
    this.router = router;
    this.artifact = artifact;
  }

  // Private fields stay out of the trace's JSON.
  #settled: Promise<void> | undefined;
  #resolve: (() => void) | undefined;

  /** Resolves once the record is no longer pending (at once when it is not). */
  whenSettled(): Promise<void> {
    if (this.status !== "pending") return Promise.resolve();
    this.#settled ??= new Promise((resolve) => (this.#resolve = resolve));
    return this.#settled;
  }

  /** Records the shadow engine's decision. */
  record(model: string, predictedQuality: number | undefined, predictedCostUsd: number | undefined, decisionMs: number): void {
    this.status = "decided";
    this.model = model;
    this.predictedQuality = predictedQuality;
    this.predictedCostUsd = predictedCostUsd;
    this.decisionMs = decisionMs;
    this.#resolve?.();
  }

  /** Records that the shadow engine failed (its error message only; nothing about the request). */
  fail(error: unknown): void {
    this.status = "failed";
    this.error = error instanceof Error ? error.message : String(error);
    this.#resolve?.();
  }

  /** Records that the shadow did not decide this request because it was too far behind (the log samples). */
  skip(reason: string): void {
    this.status = "skipped";
    this.error = reason;
    this.#resolve?.();
  }
}

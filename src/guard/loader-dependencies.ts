import type { Timer } from "./latency-budget.js";
import type { Clock } from "./safety-classifier.js";
import type { EmbedderLoader } from "./text-features.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/** What the guard-stage and route-policy loaders need from their caller (the gateway or the CLI). */
export interface LoaderDependencies {
  /** Relative artifact paths are resolved against this directory (the config file's). */
  baseDirectory: string;
  /**
   * Sends `prompt` to the configured target `targetId` and returns the reply text (guard model, LLM
   * judge); `signal` is aborted when the caller's latency budget runs out.
   */
  complete?: (targetId: string, prompt: string, signal?: CancelSignal) => Promise<string>;
  /** Reads a file (default: node:fs). */
  readText?: (path: string) => Promise<string>;
  loadEmbedder?: EmbedderLoader;
  timer?: Timer;
  now?: Clock;
}

import { countOpenAITokens, encodingOfTarget } from "../core/openai-tokenizer.js";
import { costUsdOf } from "../core/target.js";
import type { WorstCaseSource } from "./request-worst-cases.js";
import type { BillableTarget, WorstCase } from "./worst-case-cost.js";

/** An embeddings request's input, as the API takes it. */
export type EmbeddingsInput = string | readonly string[] | readonly number[] | readonly (readonly number[])[];

/**
 * The most an embeddings request can be billed: its input tokens (there is no output). The bound counts
 * every UTF-8 byte of each string as a token (a byte-level BPE token covers at least one byte) and token
 * arrays as their length; `exact` counts strings with the target's OpenAI tokenizer where it is loaded.
 * Reservation, cost header and bill all use it, as `RequestWorstCases` does for chat completions.
 */
export class EmbeddingWorstCases implements WorstCaseSource {
  readonly #input: EmbeddingsInput;
  readonly #boundTokens: number;

  constructor(input: EmbeddingsInput) {
    this.#input = input;
    let tokens = 0;
    if (typeof input === "string") tokens = Buffer.byteLength(input);
    else for (const item of input) tokens += typeof item === "string" ? Buffer.byteLength(item) : Array.isArray(item) ? item.length : 1;
    this.#boundTokens = tokens;
  }

  of(target: BillableTarget, exact = false): WorstCase {
    let promptTokens = this.#boundTokens;
    let counted = false;
    const encoding = exact ? encodingOfTarget(target) : undefined;
    if (encoding !== undefined) {
      const tokens = this.#exactTokens(encoding);
      if (tokens !== undefined) {
        promptTokens = Math.min(tokens, promptTokens);
        counted = true;
      }
    }
    return { promptTokens, exact: counted, outputCap: 0, choices: 1, costUsd: costUsdOf(target, promptTokens, 0) };
  }

  #exactTokens(encoding: Parameters<typeof countOpenAITokens>[1]): number | undefined {
    const input = this.#input;
    if (typeof input === "string") return countOpenAITokens(input, encoding);
    let tokens = 0;
    for (const item of input) {
      if (typeof item !== "string") {
        tokens += Array.isArray(item) ? item.length : 1;
        continue;
      }
      const count = countOpenAITokens(item, encoding);
      if (count === undefined) return undefined;
      tokens += count;
    }
    return tokens;
  }
}

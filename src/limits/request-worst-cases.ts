import type { RequestNeeds } from "../providers/request-needs.js";
import { worstCaseOf, type BillableTarget, type WorstCase } from "./worst-case-cost.js";

/** What a request's worst case on a target is (chat completions, embeddings). */
export interface WorstCaseSource {
  /** The worst case on `target`: the input's bound, or with `exact` its tokenizer count where loaded. */
  of(target: BillableTarget, exact?: boolean): WorstCase;
}

/**
 * The worst cases of one request, each computed once per target: the reservation, the output cap sent
 * upstream, the usage verdict, the cost header and the bill all ask for the serving target's, several
 * times per request. Holds the last target's byte-bound worst case and its exact one (the latter only
 * once the tokenizer counted it: before its encoding is loaded the answer is the bound and is not kept).
 */
export class RequestWorstCases implements WorstCaseSource {
  readonly needs: RequestNeeds;
  readonly #boundOptions: { defaultMaxOutputTokens: number };
  #boundTarget: BillableTarget | undefined;
  #bound: WorstCase | undefined;
  #exactTarget: BillableTarget | undefined;
  #exact: WorstCase | undefined;

  constructor(needs: RequestNeeds, defaultMaxOutputTokens: number) {
    this.needs = needs;
    this.#boundOptions = { defaultMaxOutputTokens };
  }

  /** The worst case on `target`: the prompt's byte bound, or with `exact` its tokenizer count where loaded. */
  of(target: BillableTarget, exact = false): WorstCase {
    if (exact) {
      if (this.#exactTarget === target && this.#exact !== undefined) return this.#exact;
      const counted = worstCaseOf(this.needs, target, { defaultMaxOutputTokens: this.#boundOptions.defaultMaxOutputTokens, exact: true });
      if (counted.exact) {
        this.#exactTarget = target;
        this.#exact = counted;
      }
      return counted;
    }
    if (this.#boundTarget === target && this.#bound !== undefined) return this.#bound;
    const bound = worstCaseOf(this.needs, target, this.#boundOptions);
    this.#boundTarget = target;
    this.#bound = bound;
    return bound;
  }
}

import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "../embedder.js";
import { parseEmbedderOptions } from "../embedder-options.js";
import { l2NormalizeInPlace } from "../l2-normalize.js";

const kind = "combined";

const partOptionsSchema = z
  .object({
    kind: z.string().min(1),
    /** Scale of this part's (unit) vector before concatenation. */
    weight: z.number().positive().finite().default(1),
    /** Options passed to the part's `fit`. */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const optionsSchema = z
  .object({
    parts: z.array(partOptionsSchema).min(1),
  })
  .strict();

/** Options of the combined embedder's `fit`, e.g. `{ parts: [{ kind: "hashed-tfidf" }, { kind: "word-vectors", weight: 0.7 }] }`. */
export type CombinedEmbedderOptions = z.input<typeof optionsSchema>;

const stateSchema = z.object({
  kind: z.literal(kind),
  version: z.literal(1),
  parts: z.array(z.object({ weight: z.number().positive(), state: z.looseObject({ kind: z.string() }) })).min(1),
});

/** One part of a combined embedder. */
export interface CombinedPart {
  embedder: Embedder;
  weight: number;
}

/**
 * Concatenates other embedders' vectors, each scaled by its weight, and L2-normalises the result, so
 * the cosine of two combined vectors is the weight²-weighted mix of the parts' cosines. A part whose
 * vector is all zeros (nothing to embed) contributes zeros.
 */
export class CombinedEmbedder implements Embedder {
  readonly kind = kind;
  readonly dimension: number;

  constructor(private readonly parts: readonly CombinedPart[]) {
    this.dimension = parts.reduce((sum, part) => sum + part.embedder.dimension, 0);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const partVectors: Float32Array[][] = [];
    for (const part of this.parts) partVectors.push(await part.embedder.embed(texts));
    return texts.map((_, index) => {
      const vector = new Float32Array(this.dimension);
      let offset = 0;
      this.parts.forEach((part, partIndex) => {
        const source = partVectors[partIndex]![index]!;
        if (source.length !== part.embedder.dimension) {
          throw new SwitchyardError("internal_error", `combined embedder part ${part.embedder.kind} returned ${source.length} numbers, expected ${part.embedder.dimension}`);
        }
        for (let d = 0; d < source.length; d++) vector[offset + d] = part.weight * source[d]!;
        offset += source.length;
      });
      return l2NormalizeInPlace(vector);
    });
  }

  toState(): EmbedderState {
    return { kind, version: 1, parts: this.parts.map((part) => ({ weight: part.weight, state: part.embedder.toState() })) };
  }
}

/**
 * Builds the combined factory. `resolveFactory(kind)` finds each part's factory — the registry passes
 * its own lookup, so this module does not import the registry (no import cycle).
 *
 * @example
 * const combined = createCombinedEmbedderFactory((kind) => registry.get(kind)!);
 * const embedder = await combined.fit(prompts, { parts: [{ kind: "hashed-tfidf", weight: 1 }, { kind: "word-vectors", weight: 0.7 }] });
 */
export function createCombinedEmbedderFactory(resolveFactory: (kind: string) => EmbedderFactory | undefined): EmbedderFactory {
  function factoryOf(partKind: string, where: string): EmbedderFactory {
    if (partKind === kind) throw new SwitchyardError("invalid_config", `${where}: a combined embedder cannot contain another combined embedder`, { param: where });
    const factory = resolveFactory(partKind);
    if (!factory) throw new SwitchyardError("invalid_config", `${where}: unknown embedder kind ${partKind}`, { param: where });
    return factory;
  }

  return {
    kind,
    async fit(texts, rawOptions) {
      const options = parseEmbedderOptions(optionsSchema, rawOptions, { kind });
      const parts: CombinedPart[] = [];
      for (const [index, part] of options.parts.entries()) {
        const embedder = await factoryOf(part.kind, `parts.${index}.kind`).fit(texts, part.options);
        parts.push({ embedder, weight: part.weight });
      }
      return new CombinedEmbedder(parts);
    },
    async fromState(rawState) {
      const state = parseEmbedderOptions(stateSchema, rawState, { kind, what: "state" });
      const parts: CombinedPart[] = [];
      for (const [index, part] of state.parts.entries()) {
        const embedder = await factoryOf(part.state.kind, `parts.${index}.state.kind`).fromState(part.state);
        parts.push({ embedder, weight: part.weight });
      }
      return new CombinedEmbedder(parts);
    },
  };
}

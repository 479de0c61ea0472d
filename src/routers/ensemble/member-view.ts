import { densify } from "../../embedders/sparse-vector.js";
import type { SparseVector } from "../../embedders/sparse-vector.js";
import { HashedTfidfEmbedder } from "../../embedders/hashed-tfidf/index.js";
import { finalQuestionOf } from "../../features/final-question.js";
import type { RouteInput } from "../router.js";
import type { TrainingSet } from "../router-trainer.js";

/**
 * What a member router sees: `prompt` is the artifact's own embedding of the whole prompt; `question`
 * is a hashed TF-IDF embedding (fitted by the ensemble on the training prompts) of the final question
 * only (see `finalQuestionOf`), so few-shot prefixes shared by thousands of prompts stop dominating
 * similarity.
 */
export type MemberView = "prompt" | "question";

/** Turns a route input into what the member sees. */
export type ViewMapper = (input: RouteInput) => RouteInput;

/** The identity view. */
export const promptView: ViewMapper = (input) => input;

/**
 * A view that re-embeds the final question with `embedder`. The dense form (`embedding`, 16 KB at 4,096
 * buckets) is built only when a member reads it: kNN members search the sparse form through their
 * inverted index, so a decision usually never densifies (and allocates far less).
 */
export function questionView(embedder: HashedTfidfEmbedder): ViewMapper {
  return (input) => new QuestionInput(input, embedder.embedOneSparse(finalQuestionOf(input.text)), embedder.dimension);
}

/**
 * A route input whose dense embedding is built on first read. A class, not an object literal with a
 * getter: V8 allocates a literal's accessor pair in the old generation, and its pointer to the young
 * getter closure kept every decision's input alive through young-generation collections (promoted,
 * then freed only by a full collection).
 */
class QuestionInput implements RouteInput {
  readonly text: string;
  readonly sparseEmbedding: SparseVector;
  readonly promptTokens: number;
  readonly id: string | undefined;
  #dense: Float32Array | undefined;
  readonly #dimension: number;

  constructor(input: RouteInput, sparse: SparseVector, dimension: number) {
    this.text = input.text;
    this.sparseEmbedding = sparse;
    this.promptTokens = input.promptTokens;
    this.id = input.id;
    this.#dimension = dimension;
  }

  get embedding(): Float32Array {
    this.#dense ??= densify(this.sparseEmbedding, this.#dimension);
    return this.#dense;
  }
}

/** Fits the question embedder on the training prompts' final questions. */
export function fitQuestionEmbedder(data: TrainingSet): HashedTfidfEmbedder {
  return HashedTfidfEmbedder.fit(data.examples.map((example) => finalQuestionOf(example.prompt)));
}

/** The training set as seen through the question view (same rows, question embeddings). */
export function questionTrainingSet(data: TrainingSet, embedder: HashedTfidfEmbedder): TrainingSet {
  const sparse = embedder.embedSparse(data.examples.map((example) => finalQuestionOf(example.prompt)));
  return { ...data, sparseEmbeddings: sparse, embeddings: sparse.map((vector) => densify(vector, embedder.dimension)) };
}

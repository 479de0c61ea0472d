import { estimateTokens } from "../core/tokens.js";
import type { RouteInput } from "../routers/router.js";
import type { Embedder } from "./embedder.js";
import { isSparseEmbedder } from "./sparse-vector.js";

/** Router inputs for a batch of prompts: dense embeddings, sparse ones when the embedder has them, estimated tokens. */
export async function routeInputsOf(embedder: Embedder, prompts: readonly string[]): Promise<RouteInput[]> {
  const embeddings = await embedder.embed(prompts);
  const sparse = isSparseEmbedder(embedder) ? embedder.embedSparse(prompts) : undefined;
  return prompts.map((text, i) => ({ text, embedding: embeddings[i]!, sparseEmbedding: sparse?.[i], promptTokens: estimateTokens(text) }));
}

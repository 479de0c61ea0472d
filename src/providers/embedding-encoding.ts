import { UpstreamFailure } from "./upstream-failure.js";

/**
 * OpenAI's `encoding_format: "base64"`: the vector as little-endian float32 bytes, base64-encoded —
 * what the official SDKs request by default and decode back to floats.
 */
export function base64OfEmbedding(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let index = 0; index < vector.length; index++) bytes.writeFloatLE(vector[index] as number, index * 4);
  return bytes.toString("base64");
}

/** The floats of a base64 embedding (inverse of {@link base64OfEmbedding}). */
export function embeddingOfBase64(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  const vector: number[] = new Array(Math.floor(bytes.length / 4));
  for (let index = 0; index < vector.length; index++) vector[index] = bytes.readFloatLE(index * 4);
  return vector;
}

/**
 * Rewrites an OpenAI embeddings response so each `data[i].embedding` has the encoding the client asked
 * for. Upstreams are always asked for floats (Ollama and others ignore `base64`), so the gateway
 * encodes; a base64 answer is decoded when floats were wanted.
 */
export function withEmbeddingEncoding(value: unknown, encoding: "float" | "base64", upstreamName: string): Record<string, unknown> {
  const response = value as { data?: unknown } | null;
  if (response === null || typeof response !== "object" || !Array.isArray(response.data)) {
    throw new UpstreamFailure("malformed_response", upstreamName, `Upstream "${upstreamName}" answered with JSON that is not an embeddings list`);
  }
  const data = response.data.map((item: unknown, index: number) => {
    const embedding = (item as { embedding?: unknown } | null)?.embedding;
    let converted: unknown;
    if (Array.isArray(embedding)) converted = encoding === "base64" ? base64OfEmbedding(embedding as number[]) : embedding;
    else if (typeof embedding === "string") converted = encoding === "float" ? embeddingOfBase64(embedding) : embedding;
    else throw new UpstreamFailure("malformed_response", upstreamName, `Upstream "${upstreamName}" answered without data[${index}].embedding`);
    return { ...(item as Record<string, unknown>), embedding: converted };
  });
  return { ...(response as Record<string, unknown>), data };
}

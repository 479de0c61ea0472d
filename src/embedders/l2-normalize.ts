/**
 * Scales `vector` in place to unit Euclidean length and returns it; an all-zero vector stays all zeros
 * (the {@link Embedder} contract for texts with nothing to embed).
 */
export function l2NormalizeInPlace(vector: Float32Array): Float32Array {
  let squares = 0;
  for (let i = 0; i < vector.length; i++) squares += vector[i]! * vector[i]!;
  if (squares > 0 && Number.isFinite(squares)) {
    const scale = 1 / Math.sqrt(squares);
    for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  }
  return vector;
}

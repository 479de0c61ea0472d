/**
 * First (uncentred) principal direction of a set of vectors — the top right singular vector of the
 * matrix whose rows they are, as the `TruncatedSVD` of Arora et al. 2017's reference code computes it —
 * by deterministic power iteration on the Gram matrix Σ v vᵀ. Returns `undefined` when every vector is
 * zero. The sign is fixed so the largest-magnitude component is positive.
 */
export function firstPrincipalComponent(vectors: readonly Float64Array[], dimensions: number, iterations = 500): Float64Array | undefined {
  const gram = new Float64Array(dimensions * dimensions);
  for (const vector of vectors) {
    for (let i = 0; i < dimensions; i++) {
      const vi = vector[i]!;
      if (vi === 0) continue;
      const offset = i * dimensions;
      for (let j = 0; j < dimensions; j++) gram[offset + j]! += vi * vector[j]!;
    }
  }
  let direction = new Float64Array(dimensions);
  for (const vector of vectors) for (let i = 0; i < dimensions; i++) direction[i]! += vector[i]!;
  if (!normalize(direction)) {
    direction.fill(1);
    normalize(direction);
  }
  for (let iteration = 0; iteration < iterations; iteration++) {
    const next = new Float64Array(dimensions);
    for (let i = 0; i < dimensions; i++) {
      let sum = 0;
      const offset = i * dimensions;
      for (let j = 0; j < dimensions; j++) sum += gram[offset + j]! * direction[j]!;
      next[i] = sum;
    }
    if (!normalize(next)) return undefined;
    let change = 0;
    for (let i = 0; i < dimensions; i++) change = Math.max(change, Math.abs(next[i]! - direction[i]!));
    direction = next;
    if (change < 1e-12) break;
  }
  let largest = 0;
  for (let i = 1; i < dimensions; i++) if (Math.abs(direction[i]!) > Math.abs(direction[largest]!)) largest = i;
  if (direction[largest]! < 0) for (let i = 0; i < dimensions; i++) direction[i] = -direction[i]!;
  return direction;
}

function normalize(vector: Float64Array): boolean {
  let squares = 0;
  for (let i = 0; i < vector.length; i++) squares += vector[i]! * vector[i]!;
  if (!(squares > 0) || !Number.isFinite(squares)) return false;
  const scale = 1 / Math.sqrt(squares);
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  return true;
}

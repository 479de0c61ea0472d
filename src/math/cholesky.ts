/**
 * Cholesky factor L (lower triangle, row-major n × n) of a symmetric positive-definite matrix `a`
 * (row-major, only the lower triangle is read). Returns null when `a` is not positive definite.
 */
export function choleskyFactor(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * n;
      let sum = a[rowI + j]!;
      for (let k = 0; k < j; k++) sum -= l[rowI + k]! * l[rowJ + k]!;
      if (i === j) {
        if (!(sum > 0)) return null;
        l[rowI + i] = Math.sqrt(sum);
      } else {
        l[rowI + j] = sum / l[rowJ + j]!;
      }
    }
  }
  return l;
}

/**
 * Solves `L Lᵀ X = B` for `columns` right-hand sides at once; `b` is row-major n × columns and is
 * overwritten with X (and returned).
 */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, columns: number): Float64Array {
  // Forward substitution L Y = B.
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let k = 0; k < i; k++) {
      const factor = l[rowI + k]!;
      if (factor === 0) continue;
      for (let c = 0; c < columns; c++) b[i * columns + c]! -= factor * b[k * columns + c]!;
    }
    const diagonal = l[rowI + i]!;
    for (let c = 0; c < columns; c++) b[i * columns + c]! /= diagonal;
  }
  // Back substitution Lᵀ X = Y.
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const factor = l[k * n + i]!;
      if (factor === 0) continue;
      for (let c = 0; c < columns; c++) b[i * columns + c]! -= factor * b[k * columns + c]!;
    }
    const diagonal = l[i * n + i]!;
    for (let c = 0; c < columns; c++) b[i * columns + c]! /= diagonal;
  }
  return b;
}

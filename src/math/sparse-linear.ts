/**
 * `out = bias + Σ_p values[p] × W[indices[p], :]` for the non-zeros `start … end` of a sparse input and a
 * row-major weight matrix `weights` (one row of `width` per input feature). Indices at or beyond
 * `inputDimension` are skipped. This is the first layer of a sparse-input network: its cost is
 * non-zeros × width, whatever the input dimension.
 */
export function sparseAffine(
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  start: number,
  end: number,
  weights: Float32Array,
  width: number,
  inputDimension: number,
  bias: Float32Array | null,
  out: Float32Array | Float64Array,
): void {
  if (bias) for (let k = 0; k < width; k++) out[k] = bias[k]!;
  else out.fill(0, 0, width);
  const unrolled = width - (width % 4);
  for (let p = start; p < end; p++) {
    const j = indices[p]!;
    if (j >= inputDimension) continue;
    const v = values[p]!;
    let o = j * width;
    let k = 0;
    for (; k < unrolled; k += 4, o += 4) {
      out[k]! += v * weights[o]!;
      out[k + 1]! += v * weights[o + 1]!;
      out[k + 2]! += v * weights[o + 2]!;
      out[k + 3]! += v * weights[o + 3]!;
    }
    for (; k < width; k++, o++) out[k]! += v * weights[o]!;
  }
}

/** The rows of a weight matrix a mini-batch touched, for lazy optimiser updates. */
export class TouchedRows {
  readonly rows: Int32Array;
  count = 0;
  private readonly marked: Uint8Array;

  constructor(rowCount: number) {
    this.rows = new Int32Array(rowCount);
    this.marked = new Uint8Array(rowCount);
  }

  mark(row: number): void {
    if (this.marked[row] === 0) {
      this.marked[row] = 1;
      this.rows[this.count++] = row;
    }
  }

  /** Forgets every marked row. */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.marked[this.rows[i]!] = 0;
    this.count = 0;
  }
}

/**
 * Gradient of {@link sparseAffine}'s weights: `gradient[indices[p], :] += values[p] × delta` for the
 * non-zeros `start … end`, marking each touched row.
 */
export function sparseOuterAccumulate(
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  start: number,
  end: number,
  delta: Float32Array | Float64Array,
  gradient: Float32Array,
  width: number,
  touched: TouchedRows,
): void {
  const unrolled = width - (width % 4);
  for (let p = start; p < end; p++) {
    const j = indices[p]!;
    touched.mark(j);
    const v = values[p]!;
    let o = j * width;
    let k = 0;
    for (; k < unrolled; k += 4, o += 4) {
      gradient[o]! += v * delta[k]!;
      gradient[o + 1]! += v * delta[k + 1]!;
      gradient[o + 2]! += v * delta[k + 2]!;
      gradient[o + 3]! += v * delta[k + 3]!;
    }
    for (; k < width; k++, o++) gradient[o]! += v * delta[k]!;
  }
}

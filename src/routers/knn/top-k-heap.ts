import type { Neighbours } from "./knn-router.js";

/** True when entry (value a, index i) ranks below (value b, index j): smaller value, or equal value and later index. */
function ranksBelow(a: number, i: number, b: number, j: number): boolean {
  return a < b || (a === b && i > j);
}

/** Reusable heap arrays for {@link topKByHeap} (used when long enough; the result is always fresh). */
export interface TopKScratch {
  heapValue: Float32Array;
  heapIndex: Int32Array;
}

/**
 * Indices and values of the `k` largest entries of `values`, most similar first (ties: lower index
 * first), skipping `exclude` — the same result as `topK` in knn-router.ts, but with a binary min-heap
 * of the k best so far, so each accepted entry costs O(log k) instead of O(k). That matters when
 * leave-one-out tuning asks for k = 320 neighbours.
 */
export function topKByHeap(values: Float32Array, k: number, exclude = -1, scratch?: TopKScratch): Neighbours {
  const size = Math.max(0, Math.min(k, values.length - (exclude >= 0 ? 1 : 0)));
  const heapValue = scratch && scratch.heapValue.length >= size ? scratch.heapValue : new Float32Array(size);
  const heapIndex = scratch && scratch.heapIndex.length >= size ? scratch.heapIndex : new Int32Array(size);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (i === exclude) continue;
    const value = values[i]!;
    if (count < size) {
      // Sift up.
      let position = count++;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        if (!ranksBelow(value, i, heapValue[parent]!, heapIndex[parent]!)) break;
        heapValue[position] = heapValue[parent]!;
        heapIndex[position] = heapIndex[parent]!;
        position = parent;
      }
      heapValue[position] = value;
      heapIndex[position] = i;
    } else if (size > 0 && value > heapValue[0]!) {
      siftDown(heapValue, heapIndex, size, value, i);
    }
  }
  // Pop the worst repeatedly, filling the output from the back.
  const indices = new Int32Array(size);
  const similarities = new Float32Array(size).fill(-Infinity);
  for (let remaining = count; remaining > 0; remaining--) {
    indices[remaining - 1] = heapIndex[0]!;
    similarities[remaining - 1] = heapValue[0]!;
    if (remaining > 1) siftDown(heapValue, heapIndex, remaining - 1, heapValue[remaining - 1]!, heapIndex[remaining - 1]!);
  }
  return { indices, similarities, count };
}

/** Puts (value, index) at the root of the first `length` heap entries and sifts it down. */
function siftDown(heapValue: Float32Array, heapIndex: Int32Array, length: number, value: number, index: number): void {
  let position = 0;
  for (;;) {
    let child = 2 * position + 1;
    if (child >= length) break;
    if (child + 1 < length && ranksBelow(heapValue[child + 1]!, heapIndex[child + 1]!, heapValue[child]!, heapIndex[child]!)) child++;
    if (!ranksBelow(heapValue[child]!, heapIndex[child]!, value, index)) break;
    heapValue[position] = heapValue[child]!;
    heapIndex[position] = heapIndex[child]!;
    position = child;
  }
  heapValue[position] = value;
  heapIndex[position] = index;
}

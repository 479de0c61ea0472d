import type { SparseVector } from "../../embedders/sparse-vector.js";
import type { Neighbours } from "./knn-router.js";
import { IvfSimilarityIndex } from "./ivf-similarity-index.js";
import type { SimilarityIndex } from "./similarity-index.js";
import { topKByHeap, type TopKScratch } from "./top-k-heap.js";

/** What a neighbour search reads of a query. */
export interface SearchQuery {
  embedding: Float32Array;
  sparseEmbedding?: SparseVector;
}

/**
 * Exact top-k search over one {@link SimilarityIndex}, remembering the last query: asked again for the
 * same query object (with the same embedding arrays), it reuses the similarity scan, and a shorter top-k
 * is served as a prefix of the longest one found so far (the top-k order — similarity descending, ties by
 * lower index — is a total order, so a top-k list is exactly the first k entries of any longer one).
 *
 * Several kNN routers over the same training vectors (an ensemble's `knn` and `task-knn` members) can
 * share one search (see `KnnRouter.shareSearchWith`), so one decision scans the vectors once. Searches
 * that exclude a row (leave-one-out tuning) are never remembered.
 */
export class NeighbourSearch {
  readonly index: SimilarityIndex;
  private readonly buffer: Float32Array;
  private lastQuery?: SearchQuery;
  private lastEmbedding?: Float32Array;
  private lastSparse?: SparseVector;
  /** Longest top-k found for the last query. */
  private lastFound?: Neighbours;
  private lastK = 0;
  /** The top-k heap's working arrays, reused across searches (grown to the largest k asked). */
  private readonly heap: TopKScratch = { heapValue: new Float32Array(0), heapIndex: new Int32Array(0) };

  /** With an IVF index: the probed rows' training indices (the buffer then holds their similarities, compacted). */
  private readonly candidateIds?: Int32Array;
  /** How many entries of the buffer are valid (all of it for an exact index). */
  private filled: number;

  constructor(index: SimilarityIndex) {
    this.index = index;
    if (index instanceof IvfSimilarityIndex) {
      this.candidateIds = new Int32Array(index.maxCandidates);
      this.buffer = new Float32Array(index.maxCandidates);
    } else {
      this.buffer = new Float32Array(index.size);
    }
    this.filled = this.buffer.length;
  }

  /** Fills the buffer with the query's similarities (all rows, or an IVF index's probed rows). */
  private scan(query: SearchQuery): void {
    if (this.candidateIds) this.filled = (this.index as IvfSimilarityIndex).candidates(query, this.candidateIds, this.buffer);
    else this.index.similarities(query, this.buffer);
  }

  /** Top-k over the buffer, as training indices. */
  private topK(k: number, exclude: number): Neighbours {
    const ids = this.candidateIds;
    if (!ids) return topKByHeap(this.buffer, k, exclude, this.heapFor(k));
    const values = this.buffer.subarray(0, this.filled);
    let excludeAt = -1;
    if (exclude >= 0) for (let i = 0; i < this.filled; i++) if (ids[i] === exclude) excludeAt = i;
    const found = topKByHeap(values, k, excludeAt, this.heapFor(k));
    for (let r = 0; r < found.count; r++) found.indices[r] = ids[found.indices[r]!]!;
    return found;
  }

  /** The `k` most similar training vectors to `query`, most similar first, skipping row `exclude`. */
  neighbours(query: SearchQuery, k: number, exclude = -1): Neighbours {
    if (exclude >= 0) {
      this.forget();
      this.scan(query);
      return this.topK(k, exclude);
    }
    // What the index reads must be the same arrays (a sparse index with a sparse query never reads the
    // dense form, which a view may build only on demand).
    const sparseOnly = this.index.readsSparse === true && query.sparseEmbedding !== undefined;
    const same = this.lastQuery === query && this.lastSparse === query.sparseEmbedding && (sparseOnly || this.lastEmbedding === query.embedding);
    if (same && this.lastFound && k <= this.lastK) return k === this.lastK ? this.lastFound : prefixOf(this.lastFound, k);
    if (!same) {
      this.scan(query);
      this.lastQuery = query;
      this.lastEmbedding = sparseOnly ? undefined : query.embedding;
      this.lastSparse = query.sparseEmbedding;
    }
    const found = this.topK(k, -1);
    this.lastFound = found;
    this.lastK = k;
    return found;
  }

  /** The heap scratch, grown to hold `k` entries. */
  private heapFor(k: number): TopKScratch {
    const size = Math.min(k, this.buffer.length);
    if (this.heap.heapValue.length < size) {
      this.heap.heapValue = new Float32Array(size);
      this.heap.heapIndex = new Int32Array(size);
    }
    return this.heap;
  }

  /** Drops the remembered query (the buffer is about to hold another query's similarities). */
  private forget(): void {
    this.lastQuery = undefined;
    this.lastEmbedding = undefined;
    this.lastSparse = undefined;
    this.lastFound = undefined;
    this.lastK = 0;
  }
}

/** The first `k` neighbours of a longer list (views, no copy). */
function prefixOf(found: Neighbours, k: number): Neighbours {
  const size = Math.min(k, found.indices.length);
  return { indices: found.indices.subarray(0, size), similarities: found.similarities.subarray(0, size), count: Math.min(found.count, size) };
}

import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { Database as SqliteDatabase, Statement } from "better-sqlite3";
import { requireOptional } from "../core/optional-dependency.js";
import { SwitchyardError } from "../core/errors.js";
import { resolveCacheDirectory, type CacheDirectoryOptions } from "./cache-directory.js";

/** Cache key of one text under one model: sha256(model + "\0" + text). */
export function embeddingCacheKey(model: string, text: string): Buffer {
  return createHash("sha256").update(model).update("\0").update(text).digest();
}

/**
 * A persistent text → vector cache in SQLite (WAL, so several processes can share it), so that
 * re-training or re-evaluating does not pay for the same embeddings twice. Vectors are stored as
 * little-endian float32 blobs.
 */
export class EmbeddingCache {
  private readonly database: SqliteDatabase;
  private readonly select: Statement<[Buffer], { vector: Buffer }>;
  private readonly insert: Statement<[Buffer, string, number, Buffer, number]>;

  constructor(readonly path: string) {
    const Database = requireOptional<typeof BetterSqlite3>("better-sqlite3", "The embedding cache", "or turn the cache off with the embedder option `cache: false`");
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.database = new Database(path);
      this.database.pragma("journal_mode = WAL");
      this.database.pragma("synchronous = NORMAL");
      this.database.pragma("busy_timeout = 5000");
      this.database.exec(
        "CREATE TABLE IF NOT EXISTS embeddings (key BLOB PRIMARY KEY, model TEXT NOT NULL, dimension INTEGER NOT NULL, vector BLOB NOT NULL, created_ms INTEGER NOT NULL) WITHOUT ROWID",
      );
    } catch (cause) {
      throw new SwitchyardError("invalid_config", `Cannot open the embedding cache ${path}: ${(cause as Error).message}; set cacheDir or $SWITCHYARD_CACHE_DIR to a writable directory`, { cause, param: "cacheDir" });
    }
    this.select = this.database.prepare("SELECT vector FROM embeddings WHERE key = ?");
    this.insert = this.database.prepare("INSERT OR REPLACE INTO embeddings (key, model, dimension, vector, created_ms) VALUES (?, ?, ?, ?, ?)");
  }

  /** Cached vectors of `dimension` numbers for these keys (misses are absent from the map). */
  getMany(keys: readonly Buffer[], dimension: number | undefined): Map<string, Float32Array> {
    const found = new Map<string, Float32Array>();
    const read = this.database.transaction(() => {
      for (const key of keys) {
        const row = this.select.get(key);
        if (!row || row.vector.byteLength % 4 !== 0) continue;
        const vector = new Float32Array(row.vector.byteLength / 4);
        new Uint8Array(vector.buffer).set(row.vector);
        if (dimension === undefined || vector.length === dimension) found.set(key.toString("hex"), vector);
      }
    });
    read();
    return found;
  }

  /** Stores vectors in one transaction. */
  putMany(model: string, entries: readonly { key: Buffer; vector: Float32Array }[], nowMs: number): void {
    const write = this.database.transaction(() => {
      for (const { key, vector } of entries) {
        this.insert.run(key, model, vector.length, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), nowMs);
      }
    });
    write();
  }

  /** Number of cached vectors (for tests and `switchyard` diagnostics). */
  size(): number {
    return (this.database.prepare("SELECT COUNT(*) AS count FROM embeddings").get() as { count: number }).count;
  }

  close(): void {
    this.database.close();
  }
}

/**
 * The embedding caches one embedder factory opened, one per directory: `at(cacheDir, enabled)` opens
 * `<directory>/<fileName>` on first use (the directory from `resolveCacheDirectory`), `close()` closes them all.
 */
export class EmbeddingCaches {
  private readonly opened = new Map<string, EmbeddingCache>();

  constructor(
    private readonly fileName: string,
    private readonly defaults: CacheDirectoryOptions = {},
  ) {}

  /** The cache under `cacheDir` (else the factory's default directory), or undefined when caching is off. */
  at(cacheDir: string | undefined, enabled: boolean): EmbeddingCache | undefined {
    if (!enabled) return undefined;
    const path = join(resolveCacheDirectory({ ...this.defaults, cacheDir: cacheDir ?? this.defaults.cacheDir }), this.fileName);
    let cache = this.opened.get(path);
    if (!cache) {
      cache = new EmbeddingCache(path);
      this.opened.set(path, cache);
    }
    return cache;
  }

  close(): void {
    for (const cache of this.opened.values()) cache.close();
    this.opened.clear();
  }
}

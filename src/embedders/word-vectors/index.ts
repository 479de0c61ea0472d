export {
  WordVectorsEmbedder,
  createWordVectorsEmbedderFactory,
  rowsOfText,
  wordVectorsEmbedderFactory,
  type WordVectorsEmbedderFactory,
  type WordVectorsFactoryOptions,
  type WordVectorsOptions,
} from "./word-vectors-embedder.js";
export { loadWordVectorTable, resolveWordVectorSource, wordVectorCachePath, wordVectorPackage, type LoadedWordVectorTable, type WordVectorSource } from "./word-vector-cache.js";
export { WordVectorTable, type WordVectorQuantization } from "./word-vector-table.js";
export { tokenizeWords } from "./word-tokenizer.js";

export { CombinedEmbedder, createCombinedEmbedderFactory, type CombinedEmbedderOptions, type CombinedPart } from "./combined-embedder.js";

export { HashedTfidfEmbedder, hashedTfidfEmbedderFactory, type HashedTfidfOptions } from "./hashed-tfidf-embedder.js";
export { FeatureCounts, hashFeatures, type HashingOptions } from "./feature-hashing.js";

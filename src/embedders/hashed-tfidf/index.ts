export { HashedTfidfEmbedder, hashedTfidfEmbedderFactory, type HashedTfidfOptions } from "./hashed-tfidf-embedder.js";
export { hashFeatures, type HashingOptions } from "./feature-hashing.js";

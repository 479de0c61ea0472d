export { RemoteEmbedder, createRemoteEmbedderFactory, endpointOf, remoteEmbedderFactory, type RemoteEmbedderFactory, type RemoteEmbedderOptions, type RemoteFactoryOptions } from "./remote-embedder.js";
export { requestEmbeddings, type EmbeddingsRequestOptions } from "./embeddings-client.js";
export { retryAfterMsOf, retryDelayMs, type RetryDelayOptions } from "./retry-delay.js";
